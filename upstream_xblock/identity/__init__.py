"""Verified forge identity: who is who on which forge, and how it was proven.

One ``VerifiedForgeAccount`` per learner and forge account, reused by every
block and course. The ways to prove an account (each its own module):

- ``oauth``: the learner signs in on the forge through the site's OAuth
  application (GitHub, GitLab, Gitea/Forgejo), with ``state`` and PKCE;
- ``linked``: the account the learner linked to the LMS through Open edX
  third-party auth (python-social-auth), read through ``platform``;
- ``code``: a per-learner code posted as a comment on one of the learner's
  contributions by its author (or put in its description);
- ``vouch``: course staff (later mentors) vouch for an account, with a reason.

Other layers use ``api`` only. Nothing here grades or renders the block.
"""
