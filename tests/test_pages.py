"""The classes and loops typed on the section 5 and 6 pages are the package's network.

Each page's ``MnistDataset``, ``Classifier``, ``train_network`` and ``score_network`` are
taken from the example file itself (its imports and that definition, run on their own),
then held against :class:`mnisttutor.MnistDataset`, :class:`mnisttutor.Classifier`,
:func:`mnisttutor.train_per_sample` and :func:`mnisttutor.evaluate`; and each passes its
exercise's check, so the workbook's solution is right.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import torch

import mnisttutor
from mnisttutor import exercises

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DATASET_PAGE = EXAMPLES / "05_mnist_data" / "plot_02_mnist_dataset.py"
NETWORK_PAGE = EXAMPLES / "06_classifier" / "plot_01_classifier_parts.py"
LOOPS_PAGE = EXAMPLES / "06_classifier" / "plot_02_training_and_testing.py"


def from_page(path: Path, name: str):
    """The class or function ``name`` defined on the page, run with the page's imports only."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    (definition,) = [
        n for n in tree.body if isinstance(n, ast.ClassDef | ast.FunctionDef) and n.name == name
    ]
    namespace = {}
    exec(compile(ast.Module([*imports, definition], []), str(path), "exec"), namespace)
    return namespace[name]


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.default_rng(1)
    rows = np.column_stack([np.arange(40) % 10, rng.integers(0, 256, size=(40, 784))])
    path = tmp_path / "small.csv"
    np.savetxt(path, rows, fmt="%d", delimiter=",")
    return path


def test_the_pages_dataset_gives_the_packages_items(csv_file):
    page, package = (
        from_page(DATASET_PAGE, "MnistDataset")(csv_file),
        mnisttutor.MnistDataset(csv_file),
    )
    assert len(page) == len(package) == 40
    for index in range(len(package)):
        label, image, target = page[index]
        expected = package[index]
        assert int(label) == expected[0]
        assert torch.equal(image, expected[1])
        assert torch.equal(target, expected[2])


def test_the_pages_classifier_takes_the_packages_steps(csv_file):
    dataset = mnisttutor.MnistDataset(csv_file)
    torch.manual_seed(0)
    page = from_page(NETWORK_PAGE, "Classifier")()
    torch.manual_seed(0)
    package = mnisttutor.Classifier()
    assert page.state_dict().keys() == package.state_dict().keys()
    for name, weights in package.state_dict().items():
        assert torch.equal(page.state_dict()[name], weights), name
    for _, image, target in dataset:
        page.train(image, target)
        package.train(image, target)
    assert page.counter == package.counter == 40
    for name, weights in package.state_dict().items():
        assert torch.equal(page.state_dict()[name], weights), name
    assert page.progress == package.progress
    assert page.eval().training is False  # the original's train override broke this
    assert page.train().training is True


def test_the_pages_loops_are_the_packages(csv_file):
    dataset = mnisttutor.MnistDataset(csv_file)
    torch.manual_seed(0)
    typed, package = mnisttutor.Classifier(), mnisttutor.Classifier()
    package.load_state_dict(typed.state_dict())
    from_page(LOOPS_PAGE, "train_network")(typed, dataset, 2)
    mnisttutor.train_per_sample(package, dataset, epochs=2, progress=False)
    for name, weights in package.state_dict().items():
        assert torch.equal(typed.state_dict()[name], weights), name
    score = from_page(LOOPS_PAGE, "score_network")(typed, dataset)
    assert score == mnisttutor.evaluate(package, dataset)


@pytest.mark.parametrize(
    ("page", "name", "checks"),
    [
        (DATASET_PAGE, "MnistDataset", ("dataset_len", "dataset_getitem")),
        (NETWORK_PAGE, "Classifier", ("classifier_init", "classifier_train")),
        (LOOPS_PAGE, "train_network", ("training_loop",)),
        (LOOPS_PAGE, "score_network", ("scoring_loop",)),
    ],
)
def test_the_pages_code_passes_its_checks(page, name, checks):
    thing = from_page(page, name)
    for check in checks:
        result = exercises.EXERCISES[check].result(thing)
        assert result.status == exercises.CORRECT, result
        assert not result.message  # no note: the page's class keeps .eval() working
