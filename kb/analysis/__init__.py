"""What is derived across postmortems, once per build: links by cause, service and team,
similar postmortems, recurrences, action-item states and figures."""
