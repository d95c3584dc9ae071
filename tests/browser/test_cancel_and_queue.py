"""Every job can be cancelled at once; a Run pressed while Python loads runs when ready.

The cancel guarantee (site/js/engine.js): a cancelled call is answered at once, even
when the Python op never yields (the worker is then replaced), and the next call works.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import READY_TIMEOUT_MS

pytestmark = pytest.mark.browser

#: Start a quantization of 6 MP of noise to 128 colors with an op that never yields
#: (image_bench: one call, no progress records), cancel it at once, and report how the
#: call was answered. No timing is asserted: without the guarantee, the answer would be
#: the result, a minute later.
CANCEL_NON_YIELDING_JS = """async () => {
  const engine = window.kmeanslab.engine;
  const width = 3000, height = 2000;
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < pixels.length; i += 65536) {
    crypto.getRandomValues(pixels.subarray(i, i + 65536));
  }
  const job = new AbortController();
  const args = { pixels, width, height, n_colors: 128 };
  const call = engine.call("image_bench", args, { signal: job.signal });
  job.abort();
  try {
    await call;
    return { answer: "result" };
  } catch (err) {
    return { answer: err.name };
  }
}"""


def test_cancel_of_an_op_that_never_yields_answers_and_the_next_call_works(app):
    got = app.evaluate(CANCEL_NON_YIELDING_JS)
    assert got == {"answer": "AbortError"}
    status = app.get_by_role("status")
    # The worker is being replaced, and the page says so; then it is usable again.
    expect(status).to_contain_text("Python was restarted after the cancel",
                                   timeout=READY_TIMEOUT_MS)
    expect(app.locator("html")).to_have_attribute("data-state", "ready")
    app.get_by_label("k (clusters)", exact=True).fill("3")
    app.get_by_role("button", name="Run").click()
    expect(app.locator("#points-summary")).to_contain_text("3 clusters of", timeout=60_000)
    expect(status).to_contain_text("Done")


def test_cancel_of_a_package_load_answers_and_the_load_still_completes(app):
    got = app.evaluate("""async () => {
      const engine = window.kmeanslab.engine;
      const job = new AbortController();
      const load = engine.loadPackages(["pillow"], { signal: job.signal });
      job.abort();
      let answer;
      try { await load; answer = "result"; } catch (err) { answer = err.name; }
      // The load goes on in the worker; the next call waits for it, then runs.
      const ppm = new TextEncoder().encode("P6\\n1 1\\n255\\n\\x01\\x02\\x03");  // 1x1 pixel
      const info = await engine.call("image_decode", { data: ppm });
      return { answer, width: info.width, generation: engine.generation };
    }""")
    assert got == {"answer": "AbortError", "width": 1, "generation": 1}


def test_run_pressed_while_python_loads_waits_then_runs(page, base_url):
    held = []
    # Hold the Python runtime's download until Run has been pressed: Python is loading.
    page.route("**/pyodide.asm.wasmz", lambda route: held.append(route))
    page.goto(base_url + "index.html#points")
    page.get_by_label("k (clusters)", exact=True).fill("3")
    page.get_by_role("button", name="Run").click()
    wait = page.locator("#points-form .run-wait")
    expect(wait).to_contain_text("runs as soon as it is ready")
    expect(page.locator("html")).to_have_attribute("data-state", "loading")
    assert held, "the runtime was requested"
    for route in held:
        route.continue_()
    expect(page.locator("#points-summary")).to_contain_text("3 clusters of",
                                                            timeout=READY_TIMEOUT_MS)
    expect(wait).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("Done")
