"""What an action item's ``tracker`` value names, for the kind of tracker that owns it.

Each kind has its own ways of writing a ticket: a web URL, a short reference, a key.
Parsed here once, so a value none of them fits is a per-item failure that says what
was expected, before any request is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.format.settings import TrackerKind
from kb.load.tracker_state import Ticket


@dataclass(frozen=True)
class GitHubIssue:
    owner: str
    repo: str
    number: int


@dataclass(frozen=True)
class GitLabIssue:
    project: str  # its full path, groups and subgroups included: "group/sub/project"
    iid: int


@dataclass(frozen=True)
class JiraIssue:
    key: str


Reference = GitHubIssue | GitLabIssue | JiraIssue

# Any host: GitHub Enterprise and self-managed GitLab have their own.
_GITHUB_URL = re.compile(r"^https?://[^/]+/(?P<owner>[^/\s]+)/(?P<repo>[^/\s]+)/issues/(?P<n>\d+)/?(?:[?#].*)?$")
_GITLAB_URL = re.compile(r"^https?://[^/]+/(?P<project>[^\s]+?)/-/issues/(?P<n>\d+)/?(?:[?#].*)?$")
_SHORT = re.compile(r"^(?P<project>[\w.-]+(?:/[\w.-]+)+)#(?P<n>\d+)$")  # GitHub's O/R#N, GitLab's group/project#N
_JIRA_KEY = r"[A-Z][A-Z0-9_]+-\d+"
_JIRA = re.compile(rf"^(?:https?://[^/]+(?:/[^\s]*)?/browse/)?(?P<key>{_JIRA_KEY})/?(?:[?#].*)?$")

EXPECTED: dict[TrackerKind, str] = {
    "github": "https://HOST/OWNER/REPO/issues/N or OWNER/REPO#N",
    "gitlab": "https://HOST/GROUP/PROJECT/-/issues/N or GROUP/PROJECT#N",
    "jira": "a key like OPS-12 or https://HOST/browse/OPS-12",
}


def parse(kind: TrackerKind, value: str) -> Reference | None:
    """The ticket ``value`` names, or ``None`` if it is not written the way ``kind`` writes one."""
    value = value.strip()
    if kind == "github":
        if found := _GITHUB_URL.match(value):
            return GitHubIssue(found["owner"], found["repo"], int(found["n"]))
        if (found := _SHORT.match(value)) and found["project"].count("/") == 1:
            owner, repo = found["project"].split("/")
            return GitHubIssue(owner, repo, int(found["n"]))
    elif kind == "gitlab":
        if found := _GITLAB_URL.match(value) or _SHORT.match(value):
            return GitLabIssue(found["project"], int(found["n"]))
    elif found := _JIRA.match(value):
        return JiraIssue(found["key"])
    return None


@dataclass(frozen=True)
class Wanted:
    """One action item whose ticket a tracker is asked for."""

    item_id: str
    value: str  # the item's ``tracker``, as written
    source: str  # its postmortem's file, as problems name it
    index: int  # its place in the postmortem's ``action_items``, from 0
    tracker: int  # which of ``trackers`` owns it
    ref: Reference | None  # ``None``: not written as its tracker writes a ticket
    previous: Ticket | None  # what the last sync learnt of this very ticket, if anything
