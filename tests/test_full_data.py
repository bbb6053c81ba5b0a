"""Facts about the real MNIST, and the tutorial's result. Skipped without the real files."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from mnisttutor import MnistDataset, evaluate, load_classifier
from mnisttutor.cli import main

pytestmark = [pytest.mark.full_data, pytest.mark.slow]


def test_training_csv_facts(real_csv):
    train = pd.read_csv(real_csv.train, header=None)
    assert train.shape == (60_000, 785)
    assert train.iloc[0, 0] == 5
    assert train.iloc[4, 0] == 9
    test = pd.read_csv(real_csv.test, header=None)
    assert test.shape == (10_000, 785)


def test_dataset_item_four_is_a_nine(real_csv):
    ds = MnistDataset(real_csv.train)
    assert len(ds) == 60_000
    label, image, target = ds[4]
    assert label == 9
    assert image.shape == (784,)
    assert target.argmax() == 9


def test_tutorial_classifier_reaches_89_percent_in_three_epochs(real_csv, tmp_path, capsys):
    """The tutorial's own training, through the command line: 3 epochs, one image at a time."""
    weights = tmp_path / "tutorial.pt"
    assert main(["train", "--epochs", "3", "--save", str(weights)]) == 0
    printed = float(re.search(r"test accuracy: ([\d.]+)", capsys.readouterr().out)[1])
    assert printed >= 0.89

    classifier = load_classifier(weights)
    test = MnistDataset(real_csv.test)
    score = 0
    for label, image_data_tensor, _ in test:  # the tutorial's scoring loop
        answer = classifier.forward(image_data_tensor).detach().numpy()
        if answer.argmax() == label:
            score += 1
    assert evaluate(classifier, test) == score / len(test)
    assert round(score / len(test), 4) == printed
