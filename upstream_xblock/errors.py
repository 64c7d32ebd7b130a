"""The one shape of a request refused by a layer below the block (identity, vouching,
annotations, the staff table and jobs): a stable ``code``, an English message id
(``template``, ``%(name)s`` placeholders filled from ``params``) and an HTTP status.

The block's JSON handlers answer every such error the same way (``block.json_api``);
the layers themselves know nothing of the block.
"""


class LayerError(Exception):
    """A request a layer refuses; the block's handlers answer it as a JSON error."""

    def __init__(self, code, template, status=400, params=None):
        self.code, self.template, self.status = code, template, status
        self.params = dict(params or {})
        super().__init__(template % self.params if self.params else template)
