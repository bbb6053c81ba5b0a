"""THE ORIGINAL TUTORIAL'S CODE, AS PUBLISHED -- kept only as the benchmarks' baseline.

A faithful copy of the tutorial's ``MnistDataset``, ``Classifier``, training loop and
scoring loop. The one change: the published GPU notebook builds its tensors with
a CUDA ``FloatTensor``; here they are built on the CPU (``torch.FloatTensor``, as the
tutorial's CPU notebook does), so the baseline runs anywhere. Do not "fix" anything
here -- the point is to measure the code people copied. Use :mod:`mnisttutor` instead.
"""

import pandas
import torch
import torch.nn as nn
from torch.utils.data import Dataset


class MnistDataset(Dataset):
    def __init__(self, csv_file):
        self.data_df = pandas.read_csv(csv_file, header=None)
        pass

    def __len__(self):
        return len(self.data_df)

    def __getitem__(self, index):
        # image target (label)
        label = self.data_df.iloc[index, 0]
        target = torch.zeros(10)
        target[label] = 1.0

        # image data, normalised from 0-255 to 0-1
        image_values = torch.FloatTensor(self.data_df.iloc[index, 1:].values) / 255.0

        # return label, image data tensor and target tensor
        return label, image_values, target

    pass


class Classifier(nn.Module):
    def __init__(self):
        # initialise parent pytorch class
        super().__init__()

        # define neural network layers
        self.model = nn.Sequential(
            nn.Linear(784, 200), nn.Sigmoid(), nn.Linear(200, 10), nn.Sigmoid()
        )

        # create loss function
        self.loss_function = nn.BCELoss()

        # create optimiser, using simple stochastic gradient descent
        self.optimiser = torch.optim.SGD(self.parameters(), lr=0.01)

        # counter and accumulator for progress
        self.counter = 0
        self.progress = []

        pass

    def forward(self, inputs):
        # simply run model
        return self.model(inputs)

    def train(self, inputs, targets):
        # calculate the output of the network
        outputs = self.forward(inputs)

        # calculate loss
        loss = self.loss_function(outputs, targets)

        # increase counter and accumulate error every 10
        self.counter += 1
        if self.counter % 10 == 0:
            self.progress.append(loss.item())
            pass
        if self.counter % 10000 == 0:
            print("counter = ", self.counter)
            pass

        # zero gradients, perform a backward pass, and update the weights
        self.optimiser.zero_grad()
        loss.backward()
        self.optimiser.step()

        pass

    pass


def train(C, mnist_dataset, epochs=3):
    """The tutorial's training cell, as a function so it can be timed."""
    for i in range(epochs):
        print("training epoch", i + 1, "of", epochs)
        for label, image_data_tensor, target_tensor in mnist_dataset:
            C.train(image_data_tensor, target_tensor)
            pass
        pass


def score(C, mnist_test_dataset):
    """The tutorial's scoring cell: returns score / items."""
    score = 0
    items = 0

    for label, image_data_tensor, target_tensor in mnist_test_dataset:
        answer = C.forward(image_data_tensor).detach().numpy()
        if answer.argmax() == label:
            score += 1
            pass
        items += 1

        pass

    print(score, items, score / items)
    return score / items
