"""The flow builder's canvas in a browser: find nodes and handles, wire them by drag and
drop, read edges and positions, wait for statuses. Shared by the flow builder's tests."""

from __future__ import annotations

import re

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

DROP_JS = """
const [kind, x, y] = arguments;
const pane = document.querySelector('#flow-canvas .react-flow');
const dt = new DataTransfer();
dt.setData('application/reactflow', JSON.stringify({type: 'resizable', data: {kind}}));
for (const type of ['dragover', 'drop']) {
  pane.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, clientX: x,
                                          clientY: y, dataTransfer: dt}));
}
"""


def _node(dash_duo, nid):
    return dash_duo.find_element(f'#flow-canvas .react-flow__node[data-id="{nid}"]')


def _handle(dash_duo, nid, handle):
    return dash_duo.find_element(
        f'#flow-canvas .react-flow__node[data-id="{nid}"] '
        f'.react-flow__handle[data-handleid="{handle}"]'
    )


def _connect(dash_duo, source, branch, target):
    src, dst = _handle(dash_duo, source, branch), _handle(dash_duo, target, "in")
    chain = ActionChains(dash_duo.driver)
    chain.move_to_element(src).click_and_hold().move_by_offset(5, 5)
    chain.move_to_element(dst).move_by_offset(1, 1).move_to_element(dst).release().perform()
    WebDriverWait(dash_duo.driver, 10).until(lambda d: f"{source}:{branch}" in _edge_ids(d))


def _edge_ids(driver) -> set[str]:
    """Read in one script: the canvas re-renders edges while the builder tidies them."""
    ids = driver.execute_script(
        "return [...document.querySelectorAll('#flow-canvas .react-flow__edge')]"
        ".map(e => e.getAttribute('data-id') || e.getAttribute('data-testid') || '')"
    )
    return {i.removeprefix("rf__edge-") for i in ids}


def _positions(dash_duo) -> dict[str, tuple[float, float]]:
    out = {}
    for el in dash_duo.find_elements("#flow-canvas .react-flow__node"):
        m = re.search(r"translate\(([-\d.]+)px, ([-\d.]+)px\)", el.get_attribute("style"))
        out[el.get_attribute("data-id")] = (round(float(m[1])), round(float(m[2])))
    return out


def _wait_status(dash_duo, status):
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: d.find_element(By.ID, "flow-status").text.lower() == status
    )


def _wait_invalid(dash_duo, nid):
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: "fn-invalid" in _node(dash_duo, nid).get_attribute("class")
    )


def _wait_nodes(dash_duo, n):
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#flow-canvas .react-flow__node")) == n
    )
