"""One line of JSON per figure, which ``bench/run`` gathers into its table.

Any bench script adds figures by calling ``figure(...)``: the line starts with
``{"figure"`` so that ``bench/run`` can tell it from the script's other output.
"""

import json


def figure(name, measured, target, holds):
    """Print one figure: what was measured, the target (as text), and whether it holds."""
    print(json.dumps({"figure": name, "measured": measured, "target": target,
                      "holds": bool(holds)}), flush=True)
