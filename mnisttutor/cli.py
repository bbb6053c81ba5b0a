"""``python -m mnisttutor``: fetch the data, write the CSVs, train and evaluate."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from .errors import MnistTutorError


def _fetch(args) -> None:
    from .data import fetch_mnist

    for key, path in fetch_mnist(args.data_dir)._asdict().items():
        print(f"{key:13} {path}")
    if args.verify:
        from .csvfiles import fetch_mnist_csv

        for split, path in (
            fetch_mnist_csv(args.data_dir, args.csv_dir, verify=True)._asdict().items()
        ):
            print(f"{split:13} {path} (whole content checked)")


def _csv(args) -> None:
    from .csvfiles import fetch_mnist_csv

    for split, path in fetch_mnist_csv(args.data_dir, args.csv_dir)._asdict().items():
        print(f"{split:5} {path}")


def _datasets(args, *splits):
    from .csvfiles import fetch_mnist_csv
    from .dataset import MnistDataset

    files = fetch_mnist_csv(args.data_dir, args.csv_dir)
    return [MnistDataset(getattr(files, split)) for split in splits]


TRAIN_METHODS = {
    "tutorial": "the tutorial's loop: nn.Module, BCELoss and SGD, one image at a time",
    "fast": "the same steps and maths, hand-written and compiled (train_per_sample_fast)",
}


def _train(args) -> None:
    import torch

    from . import training
    from .classifier import Classifier, evaluate
    from .device import best_device, describe_device
    from .saving import save_classifier

    if args.epochs < 1 or args.hidden < 1:
        raise MnistTutorError("--epochs and --hidden must be at least 1.")
    if args.threads is not None:
        if args.threads < 1:
            raise MnistTutorError("--threads must be at least 1.")
        torch.set_num_threads(args.threads)
    device = torch.device(args.device) if args.device else best_device()
    print(f"device: {describe_device(device)}")
    train, test = _datasets(args, "train", "test")
    torch.manual_seed(args.seed)
    classifier = Classifier(hidden=args.hidden, lr=args.lr).to(device)
    trainer = {
        "tutorial": training.train_per_sample,
        "fast": training.train_per_sample_fast,
    }[args.method]
    print(f"method: {args.method}, {TRAIN_METHODS[args.method]}")
    start = time.perf_counter()
    trainer(classifier, train.to(device), args.epochs)
    seconds = time.perf_counter() - start
    print(f"trained {args.epochs} epoch(s) of {len(train)} images in {seconds:.1f} s")
    print(f"test accuracy: {evaluate(classifier, test):.4f}")
    if args.save:
        save_classifier(classifier, args.save)
        print(f"weights saved to {args.save}")


def _evaluate(args) -> None:
    from .classifier import evaluate
    from .saving import load_classifier

    classifier = load_classifier(args.weights)
    (test,) = _datasets(args, "test")
    accuracy = evaluate(classifier, test)
    right = round(accuracy * len(test))
    # The percentage as the Train it yourself page prints it, for comparing the two.
    print(
        f"test accuracy: {accuracy:.4f} ({100 * right / len(test):.2f}%, "
        f"{right:,} of {len(test):,} right)"
    )


def parser() -> argparse.ArgumentParser:
    """The command line's argument parser."""
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument(
        "--data-dir",
        help="folder holding the MNIST files (default: $MNISTTUTOR_DATA_DIR, else the cache)",
    )
    data.add_argument("--csv-dir", help="folder for the tutorial's CSV files (default: the cache)")

    top = argparse.ArgumentParser(prog="python -m mnisttutor", description=__doc__)
    top.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fetch = commands.add_parser(
        "fetch", parents=[data], help="download and verify MNIST; print where the files are"
    )
    fetch.add_argument(
        "--verify",
        action="store_true",
        help="also check the tutorial's CSVs byte for byte against the sha256 recorded when "
        "they were written (other commands trust their size and time), writing again any "
        "that changed or are missing",
    )
    fetch.set_defaults(run=_fetch)
    csv = commands.add_parser(
        "csv", parents=[data], help="write the tutorial's mnist_train.csv and mnist_test.csv"
    )
    csv.set_defaults(run=_csv)

    train = commands.add_parser(
        "train", parents=[data], help="train the tutorial's classifier one image at a time"
    )
    train.add_argument(
        "--epochs", type=int, default=3, help="passes over the 60,000 training images (default: 3)"
    )
    train.add_argument("--hidden", type=int, default=200, help="hidden-layer nodes (default: 200)")
    train.add_argument("--lr", type=float, default=0.01, help="learning rate (default: 0.01)")
    train.add_argument(
        "--seed", type=int, default=0, help="random seed for the initial weights (default: 0)"
    )
    train.add_argument("--device", help="torch device, e.g. cpu (default: the best available)")
    train.add_argument(
        "--method",
        choices=TRAIN_METHODS,
        default="tutorial",
        help="how to train: "
        + "; ".join(f"{name}: {what}" for name, what in TRAIN_METHODS.items())
        + " (default: tutorial)",
    )
    train.add_argument(
        "--threads",
        type=int,
        help="CPU threads for torch (default: torch's choice; per-sample training is "
        "fastest with 1)",
    )
    train.add_argument("--save", metavar="PATH", help="save the trained weights here")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser(
        "evaluate", parents=[data], help="score saved weights on the test set"
    )
    evaluate.add_argument(
        "weights",
        help="a file written by `train --save`, or a .safetensors file downloaded from the "
        "Train it yourself page",
    )
    evaluate.set_defaults(run=_evaluate)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s"
    )
    try:
        args.run(args)
    except (MnistTutorError, OSError) as exc:
        # One clear message, not a traceback: these are the user's to fix.
        print(f"mnisttutor: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mnisttutor: interrupted", file=sys.stderr)
        return 130
    return 0
