"""Sphinx configuration: furo, sphinx-gallery over examples/, the API from docstrings.

Every example under ``examples/`` runs when the site is built. A new section is a new
folder ``examples/NN_name/`` with a ``GALLERY_HEADER.rst``: it is picked up and ordered
by its folder name, and its files by file name, with nothing to add here.
"""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS))  # gallery_setup, named by string in sphinx_gallery_conf

import gallery_setup

import mnisttutor

project = "mnisttutor"
author = "the mnisttutor authors"
copyright = "2026, the mnisttutor authors"
release = version = mnisttutor.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.extlinks",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/**/*.py"]
templates_path = ["_templates"]

# Every cross-reference must resolve. There is no intersphinx (the build is offline and a
# failed inventory fetch would fail it), so names from other projects are left plain.
nitpicky = True
nitpick_ignore_regex = [
    ("py:.*", r"(torch|numpy|np|pandas|pd|matplotlib|plt|collections|os|pathlib|typing)(\..*)?"),
    ("py:.*", r"(int|float|str|bool|bytes|dict|list|tuple|None|object|type|Path|Iterator)"),
    ("py:.*", r"(Tensor|Module|Dataset|Optimizer|Axes|DataFrame|PathLike|ndarray)"),
    ("py:.*", r"(optional|array-like|callable|path-like|default .*)"),
]

# Links to PyTorch's own API pages, for the first time a page names an API:
# :pt:`torch.nn.Linear`, or :pt:`nn.Linear <torch.nn.Linear>` to show a shorter name. The
# target is a full dotted name in torch (tests/site checks each one exists in the installed
# torch). Intersphinx would need the inventory fetched at build time, which is offline here.
extlinks = {"pt": ("https://docs.pytorch.org/docs/stable/generated/%s.html", "%s")}

# API reference: numpydoc-style docstrings, types taken from the signatures.
autosummary_generate = True
autodoc_typehints = "signature"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

# The site's address, when it is published: Read the Docs sets the first, the Pages
# workflow the second. Empty for a local build.
html_baseurl = os.environ.get("READTHEDOCS_CANONICAL_URL") or os.environ.get(
    "MNISTTUTOR_SITE_URL", ""
)
if html_baseurl and not html_baseurl.endswith("/"):
    html_baseurl += "/"

# mnisttutor is not on PyPI: the site carries its wheel, which notebooks install. The
# nox docs session builds it here first (python docs/gallery_setup.py); a bare
# sphinx-build without it makes a site whose notebooks cannot install the package.
WHEELS = DOCS / "_build" / "extra"
html_extra_path = [str(WHEELS)] if WHEELS.is_dir() else []
wheels_url = f"{html_baseurl}wheels/" if html_baseurl else (WHEELS / "wheels").as_uri() + "/"

html_theme = "furo"
html_title = "mnisttutor"
html_static_path = ["_static"]
html_css_files = ["mnisttutor.css"]
html_show_sourcelink = False
html_theme_options = {
    "source_edit_link": None,
    "navigation_with_keys": True,
}

# Only what differs from sphinx-gallery's defaults (examples in ../examples, pages in
# auto_examples, sections in folder-name order, one example at a time: several of them
# time things, and parallel runs would disturb each other's measurements).
sphinx_gallery_conf = {
    "within_subsection_order": "FileNameSortKey",  # files by name inside each section
    "filename_pattern": r"/plot_",
    "doc_module": ("mnisttutor",),
    "backreferences_dir": "gen_modules/backreferences",
    "reset_modules": ("matplotlib", "seaborn", "gallery_setup.reset_state"),
    "first_notebook_cell": gallery_setup.first_notebook_cell(wheels_url),
    "remove_config_comments": True,
    "min_reported_time": 1,
}

# A copy button on every code block (sphinx-copybutton, served from the site's own
# _static). It copies the code alone: in a block with prompts (a docstring's ">>> "
# example, a console's "$ " commands) only the prompted lines, without their prompts, so
# not what they print; and a walkthrough's printed output gets no button.
copybutton_selector = "div:not(.sphx-glr-script-out) > div.highlight pre"
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
html_css_files.append("copy-buttons.css")  # visible to the keyboard, and in furo's colours

# Fixes for what Sphinx, furo and sphinx-gallery write, found by the site checks in
# tests/site (accessibility, valid HTML, nothing loaded from other hosts).
sys.path.insert(0, str(DOCS / "_ext"))
extensions.append("site_fixes")
html_css_files.append("accessibility.css")
html_js_files = ["accessibility.js"]

# Notebooks that read like their pages: roles resolved into Markdown links (absolute
# when html_baseurl is set), directives replaced by a sentence and a link; the converted
# copies go into the output, also under notebooks/ for Colab (docs/_ext/notebook_markdown.py).
# "Open in Colab" beside each notebook download, only where the notebooks have a GitHub
# branch: MNISTTUTOR_COLAB_GITHUB=owner/repo/branch, which the Pages workflow sets and
# publishes (docs/_ext/colab.py). Unset, there are no Colab buttons.
extensions += ["notebook_markdown", "colab"]
colab_github = os.environ.get("MNISTTUTOR_COLAB_GITHUB", "").strip("/")

# The "Draw a digit" page runs the network that examples/09_refining exports.
extensions.append("draw_page")

# Workbooks: each walkthrough with "# workbook: NAME" markers gets a notebook with blanks
# and checks, beside its downloads and in the gallery's zip (docs/_ext/workbooks.py).
extensions.append("workbooks")

# The "Train it yourself" page: its WebAssembly kernel, section 6's initial weights and
# the MNIST files, put into the site when the build finishes.
extensions.append("train_page")
extensions.append("machine_graph")  # its last section, "Your machine's graph" (WebGPU)

# What a reader sees. Each figure is saved twice, as drawn and recoloured for furo's dark
# theme, at 1x and 2x, and each thumbnail gets its dark twin (docs/_ext/figure_themes.py).
# Under each walkthrough's title, when, with what and where it ran (docs/_ext/run_record.py).
# The gallery's top page is examples/index.rst, copied as it is (see its comment).
extensions += ["figure_themes", "run_record"]
# train_page.record_reference keeps section 6's reference run for the Train page.
sphinx_gallery_conf["image_scrapers"] = (
    "figure_themes.scrape",
    "run_record.record",
    "train_page.record_reference",
)
sphinx_gallery_conf["image_srcset"] = ["2x"]
sphinx_gallery_conf["copyfile_regex"] = r"index\.rst$"
html_favicon = "_static/favicon.svg"
