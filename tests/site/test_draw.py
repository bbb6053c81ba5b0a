"""The "Draw a digit" page in headless Chromium, against PyTorch on the same pixels.

The page runs the network the docs build exported (``_static/draw/mnist-network.js``) in
plain JavaScript. These tests feed it test digits and drawn strokes, and check that its
10 outputs match PyTorch's for the same 784 pixels to within ``TOLERANCE``, that its
MNIST-style preprocessing gives the pixels it should, and that it shows its answer as
text. Build the site first (``nox -s docs``); ``nox -s site`` runs these.
"""

from __future__ import annotations

import itertools
import logging

import numpy as np
import pytest
import torch

from mnisttutor.browser import read_network, read_samples

log = logging.getLogger(__name__)

PAGE = "draw.html"
NETWORK = "_static/draw/mnist-network.js"
TOLERANCE = 1e-4  # the bar for the browser's outputs against PyTorch's
PIXEL_TOLERANCE = 1e-6  # the page's exact grey levels / 255 against float32 ones


@pytest.fixture(scope="module")
def network_file(site_dir):
    path = site_dir / NETWORK
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: the docs build did not export the network "
            "(examples/09_refining/plot_04_saving_and_loading.py writes it)"
        )
    return path


@pytest.fixture(scope="module")
def network(network_file):
    return read_network(network_file)


@pytest.fixture
def draw(browser, site_url, network_file):
    """The browser on the draw page, with its script started."""
    browser.get(site_url + PAGE)
    ready = browser.execute_script("return Boolean(window.mnistDraw)")
    assert ready, browser.find_element("css selector", ".mnist-draw__result").text
    return browser


def pytorch_outputs(network, pixels) -> np.ndarray:
    with torch.no_grad():
        return network(torch.as_tensor(np.asarray(pixels), dtype=torch.float32)).numpy()


def page_state(draw) -> tuple[np.ndarray | None, np.ndarray | None, str]:
    state = draw.execute_script("return window.mnistDraw.state")
    result = draw.find_element("css selector", ".mnist-draw__result").text
    if state["input"] is None:
        return None, None, result
    return np.array(state["input"]), np.array(state["outputs"]), result


def test_page_classifies_test_images_as_pytorch_does(draw, network, network_file):
    images, _ = read_samples(network_file)
    noise = torch.rand(10, 784, generator=torch.Generator().manual_seed(0))
    inputs = torch.cat([images, noise])  # real digits, and inputs far from any digit
    page = np.array(draw.execute_script(
        "return arguments[0].map((pixels) => window.mnistDraw.classify(pixels))",
        inputs.tolist(),
    ))  # fmt: skip
    expected = pytorch_outputs(network, inputs)
    difference = np.abs(page - expected).max()
    log.info("largest difference from PyTorch over %d inputs: %.2e", len(inputs), difference)
    assert difference < TOLERANCE, difference
    assert (page.argmax(axis=1) == expected.argmax(axis=1)).all()


def bounding_box_side(image: np.ndarray) -> int:
    rows, columns = np.nonzero(image.reshape(28, 28))
    return max(np.ptp(rows), np.ptp(columns)) + 1


def test_test_digits_come_through_the_drawing_pad_unchanged(draw, network, network_file):
    """A test digit, drawn 10 times larger, is preprocessed back into itself.

    MNIST's own digits were made with the same preprocessing (fit into 20 x 20, centre
    of mass to the middle), so for those 20 pixels across, scaling the enlarged copy back
    down and centring it must give exactly the original pixels.
    """
    images, labels = read_samples(network_file)
    button = draw.find_element("css selector", ".mnist-draw__sample")
    checked = 0
    for image, label in zip(images.numpy(), labels.tolist(), strict=True):
        draw.execute_script("arguments[0].focus()", button)
        button.send_keys("\n")  # the keyboard's way to press the button
        seen, outputs, result = page_state(draw)
        expected = pytorch_outputs(network, seen)
        assert float(np.abs(outputs - expected).max()) < TOLERANCE
        assert f"reads this as a {expected.argmax()}" in result
        if bounding_box_side(image) == 20:
            change = float(np.abs(seen - image).max())
            assert change < PIXEL_TOLERANCE, f"a {label} came out changed, by up to {change}"
            checked += 1
    assert checked >= len(images) // 2, "too few stored digits to check the preprocessing"


def draw_strokes(draw, strokes):
    """Draw with the mouse: each stroke is a list of (x, y) points on the 280 x 280 pad."""
    from selenium.webdriver.common.action_chains import ActionChains

    pad = draw.find_element("css selector", ".mnist-draw__pad")
    draw.execute_script("arguments[0].scrollIntoView({block: 'center'})", pad)
    size = pad.size
    scale_x, scale_y = size["width"] / 280, size["height"] / 280
    for stroke in strokes:
        # Offsets are from the element's centre in Selenium 4.
        at = [
            (x * scale_x - size["width"] / 2, y * scale_y - size["height"] / 2) for x, y in stroke
        ]
        actions = ActionChains(draw).move_to_element_with_offset(pad, *at[0]).click_and_hold()
        for (x0, y0), (x1, y1) in itertools.pairwise(at):
            actions.move_by_offset(x1 - x0, y1 - y0)
        actions.release().perform()


def test_drawn_one_is_preprocessed_like_mnist_and_read_as_pytorch_reads_it(draw, network):
    draw_strokes(draw, [[(150, 40 + 10 * i) for i in range(21)]])  # a vertical line, a "1"
    seen, outputs, result = page_state(draw)
    assert seen is not None, "drawing left no pixels"
    assert seen.max() == pytest.approx(1, abs=0.05)
    # Fitted to 20 pixels high, and its centre of mass on the middle (MNIST's rounding).
    image = seen.reshape(28, 28)
    rows = np.nonzero(image.sum(axis=1))[0]
    assert rows[-1] - rows[0] + 1 == 20
    centre = np.array([(image.sum(axis=1) * np.arange(28)).sum(),
                       (image.sum(axis=0) * np.arange(28)).sum()]) / image.sum()  # fmt: skip
    assert np.all((centre >= 13.5) & (centre < 14.5)), centre
    expected = pytorch_outputs(network, seen)
    assert np.abs(outputs - expected).max() < TOLERANCE
    assert expected.argmax() == 1, f"a drawn vertical line was read as {expected.argmax()}"
    assert "reads this as a 1" in result


def test_drawn_seven_matches_pytorch(draw, network):
    draw_strokes(draw, [[(70, 60), (210, 60), (170, 130), (130, 200), (110, 250)]])
    seen, outputs, result = page_state(draw)
    expected = pytorch_outputs(network, seen)
    assert np.abs(outputs - expected).max() < TOLERANCE
    assert f"reads this as a {expected.argmax()}" in result


def test_clear_button_works_from_the_keyboard(draw):
    draw_strokes(draw, [[(100, 100), (180, 180)]])
    assert page_state(draw)[0] is not None
    button = draw.find_element("css selector", ".mnist-draw__clear")
    draw.execute_script("arguments[0].focus()", button)
    button.send_keys(" ")
    seen, outputs, result = page_state(draw)
    assert seen is None
    assert outputs is None
    assert "Draw a digit" in result
    empty = draw.execute_script(
        "const pad = document.querySelector('.mnist-draw__pad');"
        "return pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data"
        ".every((v) => v === 0)"
    )
    assert empty


@pytest.mark.parametrize(
    ("width", "url"), [(1280, "draw.html"), (400, "draw.html"), (1280, "train.html")]
)
def test_pad_and_result_side_by_side_when_wide_stacked_when_narrow(browser, site_url, width, url):
    """Issue 11: at 1280 px the result sits beside the pad; on a phone, below it."""
    browser.set_window_size(width, 900)
    try:
        browser.get(site_url + url)
        pad, output = (
            browser.find_element("css selector", f".mnist-draw .mnist-draw__{name}")
            for name in ("input", "output")
        )
        side_by_side = output.location["x"] >= pad.location["x"] + pad.size["width"]
        stacked = output.location["y"] >= pad.location["y"] + pad.size["height"]
        assert (side_by_side, stacked) == ((True, False) if width > 1000 else (False, True))
    finally:
        browser.set_window_size(1280, 900)
