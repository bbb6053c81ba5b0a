"""What a workbook's first code cell imports: ``exercises``, the checks, and ``____``,
the blank that marks where the reader types::

    from mnisttutor.exercises.workbook import *

Importing it in a notebook also starts the record of the cells that run (see
``mnisttutor.exercises._session``), so that each check judges its own cell's latest run.
"""

from .. import exercises
from . import _session
from ._core import ____
from ._exercise import summarise

_session.recorder(summarise)

__all__ = ["____", "exercises"]
