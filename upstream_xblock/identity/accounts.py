"""A verified forge account as the rest of the product sees it (no Django here)."""

from dataclasses import dataclass

OAUTH, LINKED, COMMENT_CODE, DESCRIPTION_CODE, VOUCHED = (
    "oauth", "linked", "comment_code", "description_code", "vouched")
METHODS = (OAUTH, LINKED, COMMENT_CODE, DESCRIPTION_CODE, VOUCHED)


@dataclass(frozen=True)
class VerifiedAccount:
    """One forge account proven to be a learner's.

    ``account_id`` is the forge's stable id of the account (GitHub, GitLab and
    Gitea user ids, Gerrit's ``_account_id``) as a decimal string: it survives
    a rename. ``username`` is the name it had when verified.
    """

    host: str
    account_id: str
    username: str
    method: str = ""

    def is_author_of(self, snapshot):
        """Same host, and the same account: by id where the forge gave one, else by name."""
        if snapshot.host != self.host:
            return False
        if snapshot.author_id:
            return snapshot.author_id == self.account_id
        return bool(snapshot.author) and snapshot.author.casefold() == self.username.casefold()
