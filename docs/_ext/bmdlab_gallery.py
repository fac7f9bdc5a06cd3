"""A sphinx-gallery image scraper for bmdlab's figures.

bmdlab's ``.plot()`` methods return a :class:`matplotlib.figure.Figure` that is not registered with pyplot
(importing bmdlab never switches Matplotlib's backend), so sphinx-gallery's own matplotlib scraper, which
reads pyplot's open figures, does not see them. This scraper saves every such figure the example's code
block left in a variable, once.
"""

from __future__ import annotations

from typing import Any


def bmdlab_figures(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any]) -> str:
    """Save the unregistered Figures in the example's globals; return their reST (sphinx-gallery scraper API)."""
    from matplotlib.figure import Figure  # lazy: sphinx-gallery imports scrapers before matplotlib is configured
    from sphinx_gallery.scrapers import figure_rst  # lazy: only a docs build needs sphinx-gallery

    seen = block_vars.setdefault("bmdlab_saved_figures", set())
    paths = []
    for obj in list(block_vars["example_globals"].values()):
        if isinstance(obj, Figure) and obj.canvas.manager is None and id(obj) not in seen:
            path = next(block_vars["image_path_iterator"])
            obj.savefig(path, dpi=96)
            seen.add(id(obj))
            paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])
