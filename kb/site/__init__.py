"""The site as a whole: the plan of its pages and assets, the JSON API and the feed."""
