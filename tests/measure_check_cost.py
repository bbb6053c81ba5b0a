"""What a check costs: milliseconds per check of each exercise's right answer (median of
5 runs), and the median over the exercises. Not a test (pytest does not collect it).

    PYTHONPATH=$PWD python tests/measure_check_cost.py             # in a forked child
    PYTHONPATH=$PWD python tests/measure_check_cost.py in-process  # the fallback
"""

import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))
from test_pages import DATASET_PAGE, LOOPS_PAGE, NETWORK_PAGE, from_page

from mnisttutor import exercises
from mnisttutor.device import best_device


def learn(c, km, miles, learning_rate):
    error = miles - c * km
    return c + learning_rate * error / km, error


def x_and_y():
    x = torch.tensor(3.5, requires_grad=True)
    return x, (x - 1) * (x - 2) * (x - 3)


def after_backward():
    x, y = x_and_y()
    y.backward()
    return (x,)


def on_the_best_device():
    return nn.Linear(3, 2).to(best_device()), torch.rand(3, 3, device=best_device())


MnistDataset = from_page(DATASET_PAGE, "MnistDataset")
Classifier = from_page(NETWORK_PAGE, "Classifier")
ANSWERS = {
    "km_error": lambda: (12.1371, 62.1371, 50.0),
    "km_update": lambda: (learn,),
    "autograd_x": lambda: (x_and_y()[0],),
    "autograd_y": lambda: x_and_y()[::-1],
    "autograd_backward": after_backward,
    "autograd_grad": lambda: (torch.tensor(5.75),),
    "to_device": on_the_best_device,
    "dataset_len": lambda: (MnistDataset,),
    "dataset_getitem": lambda: (MnistDataset,),
    "classifier_init": lambda: (Classifier,),
    "classifier_train": lambda: (Classifier,),
    "training_loop": lambda: (from_page(LOOPS_PAGE, "train_network"),),
    "scoring_loop": lambda: (from_page(LOOPS_PAGE, "score_network"),),
}


def main():
    if sys.argv[1:] == ["in-process"]:
        from mnisttutor.exercises import _isolation

        _isolation.FORK = False
    costs = {}
    for name, answer in ANSWERS.items():
        times = []
        for _ in range(5):
            args = answer()
            start = time.perf_counter()
            result = exercises.EXERCISES[name].result(*args)
            times.append(time.perf_counter() - start)
            assert result.status == exercises.CORRECT, (name, result)
        costs[name] = statistics.median(times)
        print(f"{name:18s} {costs[name] * 1e3:8.1f} ms")  # noqa: T201
    median = statistics.median(costs.values()) * 1e3
    print(f"median over {len(costs)} exercises: {median:.1f} ms")  # noqa: T201


if __name__ == "__main__":
    main()
