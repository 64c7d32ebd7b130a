"""Annotations mentors leave on a learner's work, stored in that learner's block state.

- ``notes``: what an annotation is (validation, edits, what the learner may see);
- ``store``: reading and writing one learner's annotations through ``platform``,
  serialized per learner so that concurrent mentors never lose each other's words;
- ``models``: the registry's per-learner index (counts for the progress table's filter).
"""
