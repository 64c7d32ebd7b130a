"""The simulator's stable numeric ids, one function for every forge and endpoint.

(Its own module: the state, the answers' shapes and the OAuth endpoints all need
it, and must not import one another for it.)
"""

import hashlib


def num_id(text):
    """A stable id for a name; 31 bits, as GraphQL's Int (GitHub's databaseId) holds."""
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) & 0x7FFFFFFF
