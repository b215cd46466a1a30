"""Every rule a postmortem is checked against, in one file and across files, and the
Library that comes out: the valid postmortems a build's audience may see."""
