"""Verified forge identity: who is who on which forge, and how it was proven.

One ``VerifiedForgeAccount`` per learner and forge account, reused by every
block and course. Its rooms:

- ``api``: what other layers call (load, record, vouch for, forget accounts);
- ``models``: the table of verified accounts;
- ``oauth``: the learner signs in on the forge through the site's OAuth
  application (GitHub, GitLab, Gitea/Forgejo), with ``state`` and PKCE;
- ``linked``: the account the learner linked to the LMS through Open edX
  third-party auth (python-social-auth), read through ``compat``;
- ``codes``: a per-learner code posted as a comment on one of the learner's
  contributions by its author (or put in its description), and the ownership
  code of a contribution;
- ``views``: the app's OAuth views and the data of the learner's identity panel.

Mentors and course staff vouch for an account through ``api.vouch``, with a
reason. Nothing here grades or renders the block.
"""
