"""``kb sync``: ask the issue trackers for the state of each action item's ticket.

The only part of the core that uses the network. It writes the snapshot
(``kb.load.tracker_state``) that builds read, so a build never waits on a tracker and
two builds of one commit agree; ``--write`` brings the files in line with it.
"""
