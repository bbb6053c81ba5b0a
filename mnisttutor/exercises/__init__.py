"""Exercises that check the reader's own code, as Kaggle Learn's learntools does.

Each exercise is named as in the workbooks (``docs/_ext/workbooks.py`` says which
walkthrough holds which). In a workbook (or anywhere)::

    from mnisttutor import exercises
    exercises.dataset_getitem.check()   # not attempted / correct / incorrect
    exercises.dataset_getitem.hint()
    exercises.dataset_getitem.solution()

In a notebook, ``check()`` judges the reader's code as the exercise's own cell last ran
(``mnisttutor.exercises._session`` keeps IPython's record of it), whatever ran since;
if that run raised, it says so in one sentence. ``check(MnistDataset)`` passes the
reader's objects explicitly. A check runs the reader's code on a few small inputs (at
most a few hundred images) and compares what it does with the package's reference, never
the code's text, so any correct way of writing it passes. ``____`` is the blank of the
starter code. Some exercises are "your turn": their answer is on no page, only its idea.

A check is isolated from the notebook (``mnisttutor.exercises._isolation``): on
Linux and macOS it runs in a forked child process, in a folder of its own, that is
killed with all it started after ``TIME_LIMIT`` seconds, with bounded memory and output,
so nothing the reader's code does during a check (reseeding, printing, looping, writing
files, replacing ``torch.nn.BCELoss``) reaches the notebook. Elsewhere, or once an
accelerator's runtime is in use, it runs in-process with that state saved and put back.

Examples
--------
>>> from mnisttutor import exercises
>>> exercises.km_error.check(exercises.____, 62.1, 50.0)  # doctest: +ELLIPSIS
Not attempted: fill in the blanks (____), then run this again. ...
>>> exercises.km_error.check(50.0 - 62.1, 62.1, 50.0)
Incorrect: error has the wrong sign: it is the output minus the target.
>>> exercises.km_error.check(62.1 - 50.0, 62.1, 50.0)
Correct.
"""

from ._core import CORRECT, INCORRECT, NOT_ATTEMPTED, Result, ____
from ._exercise import Exercise
from .basics import (
    autograd_backward,
    autograd_grad,
    autograd_x,
    autograd_y,
    km_error,
    km_update,
    to_device,
)
from .dataset import dataset_getitem, dataset_len
from .network import classifier_init, classifier_train, scoring_loop, training_loop
from .your_turn import (
    accuracy_per_digit,
    digit_counts,
    gradient_check,
    marathon_errors,
    marathon_learning,
    parameter_count,
    time_matmul,
)

EXERCISES = {
    exercise.name: exercise
    for exercise in (
        km_error, marathon_errors, km_update, marathon_learning, autograd_x, autograd_y,
        autograd_backward, autograd_grad, gradient_check, to_device, time_matmul,
        dataset_len, dataset_getitem, digit_counts, classifier_init, classifier_train,
        parameter_count, training_loop, scoring_loop, accuracy_per_digit,
    )
}  # fmt: skip

__all__ = [
    "CORRECT", "EXERCISES", "INCORRECT", "NOT_ATTEMPTED", "Exercise", "Result", "____",
    *EXERCISES,
]  # fmt: skip
