"""mnisttutor: the classic hands-on PyTorch MNIST tutorial, as a package and a website."""

from .classifier import Classifier, evaluate
from .csvfiles import CsvFiles, fetch_mnist_csv
from .data import MnistFiles, cache_dir, fetch_mnist
from .dataset import MnistDataset
from .device import best_device, cpu_threads, default_device, describe_device
from .errors import DataNotFoundError, InvalidDataError, MnistTutorError
from .idx import read_idx
from .refined import RefinedClassifier
from .saving import load_classifier, save_classifier
from .training import sgd_step, train_minibatch, train_per_sample, train_per_sample_fast

__version__ = "0.1.0"

__all__ = [
    "Classifier",
    "CsvFiles",
    "DataNotFoundError",
    "InvalidDataError",
    "MnistDataset",
    "MnistFiles",
    "MnistTutorError",
    "RefinedClassifier",
    "best_device",
    "cache_dir",
    "cpu_threads",
    "default_device",
    "describe_device",
    "evaluate",
    "fetch_mnist",
    "fetch_mnist_csv",
    "load_classifier",
    "read_idx",
    "save_classifier",
    "sgd_step",
    "train_minibatch",
    "train_per_sample",
    "train_per_sample_fast",
]
