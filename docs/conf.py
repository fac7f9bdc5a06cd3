"""Sphinx configuration of bmdlab's documentation site.

Build it (offline: nothing is fetched at build time) with::

    pip install -e '.[docs]'
    sphinx-build -W docs docs/_build/html

The gallery's scripts (``examples/gallery/plot_*.py``) run during the build; their pages and figures are
written to ``docs/auto_examples/``. ``tests/test_docs.py`` builds the site with warnings as errors.
"""

import os
import sys
from pathlib import Path

import matplotlib
from docutils.nodes import SkipNode

matplotlib.use("Agg")  # the gallery's figures are files, never windows

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))  # the source tree, when bmdlab is not installed
sys.path.insert(0, str(HERE / "_ext"))  # the gallery's scraper of bmdlab figures
os.environ.setdefault("MPLBACKEND", "Agg")

import bmdlab  # noqa: E402

project = "bmdlab"
author = "bmdlab contributors"
copyright = "bmdlab contributors, BSD 3-Clause"  # noqa: A001
release = bmdlab.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip"]
# a docstring may list a reference its text does not cite ([1] without [1]_): not an error of the site
suppress_warnings = ["ref.footnote"]

# MyST: Markdown guide pages with the extensions the pages use
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# the API reference from the NumPy-style docstrings
autodoc_default_options = {"members": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_class_signature = "mixed"
autodoc_typehints_description_target = "documented"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
nitpicky = False

# the gallery: scripts run at build time, figures captured
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples" / "gallery"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "write_computation_times": False,
    "show_memory": False,
    "plot_gallery": "True",
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib", "bmdlab_gallery.bmdlab_figures"),
    "reference_url": {},  # no links to remote documentation
    "thumbnail_size": (320, 224),
}

# HTML: Furo (system fonts; nothing loaded from a CDN)
html_theme = "furo"
html_title = f"bmdlab {release}"
html_static_path = ["_static"]
html_css_files = ["bmdlab.css"]  # local: smaller type in wide tables
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {"navigation_with_keys": True, "top_of_page_buttons": []}
# Sphinx would load MathJax from a CDN for the docstrings' formulas: show them as text instead
html_math_renderer = "bmdlab-plain"


def _math_inline(self, node):
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append(self.encode(node.astext()))
    self.body.append("</span>")
    raise SkipNode


def _math_block(self, node):
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    self.body.append("<pre>" + self.encode(node.astext()) + "</pre></div>")
    raise SkipNode


#: NumPy sections whose body is a field list: a paragraph at the headers' indent ends them
FIELD_SECTIONS = {"Parameters", "Other Parameters", "Returns", "Yields", "Raises", "Warns", "Attributes"}


def _prose_after_sections(app, what, name, obj, options, lines):
    """Move a paragraph written after a field-list section (Parameters, Returns, ...) at the headers'
    indent, not under a header of its own, up to the summary, where napoleon reads it as prose rather
    than as a field list that ends without a blank line."""
    headers = {i for i in range(len(lines) - 1) if lines[i].strip() and set(lines[i + 1].strip()) == {"-"}}
    if not headers:
        return
    first, section, keep, moved, i = min(headers), None, [], [], 0
    while i < len(lines):
        if i in headers:
            section = lines[i].strip()
        prose = lines[i].strip() and not lines[i].startswith(" ") and i > 0 and not lines[i - 1].strip()
        if prose and i not in headers and section in FIELD_SECTIONS:
            j = i
            while j < len(lines) and lines[j].strip():
                j += 1
            moved += [*lines[i:j], ""]
            i = j
            continue
        keep.append(lines[i])
        i += 1
    if moved:
        lines[:] = keep[:first] + moved + keep[first:]


def setup(app):
    """Register the offline math renderer and the docstring clean-up (before napoleon, priority 500)."""
    app.add_html_math_renderer("bmdlab-plain", (_math_inline, None), (_math_block, None))
    app.connect("autodoc-process-docstring", _prose_after_sections, priority=400)
