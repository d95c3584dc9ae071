// The Image panel's DOM. Static markup only: names and messages are set as text later.
export const TEMPLATE = `
<div class="workspace image-workspace">
  <form class="controls image-controls" novalidate>
    <fieldset>
      <legend>Image</legend>
      <div class="drop-zone">
        <label class="file-pick">Choose an image…
          <input type="file" name="file" accept="image/*,.jpg,.jpeg,.png,.webp,.gif,.bmp,.avif,.tif,.tiff,.ppm,.pgm,.pbm,.pnm,.pam,.tga,.pcx,.qoi,.dds,.psd,.ico,.icns,.sgi,.rgb">
        </label>
        <p class="hint">or drop one here, or paste (Ctrl+V)</p>
      </div>
      <p class="samples">Or try
        <button type="button" data-sample="china.jpg">china.jpg</button>
        <button type="button" data-sample="flower.jpg">flower.jpg</button>
      </p>
      <p class="samples"><button type="button" name="chapter">The chapter’s result: 16 colors, mini-batch</button></p>
      <p class="image-name">No image yet.</p>
      <p class="url-note" hidden></p>
      <p class="form-error msg" data-msg="file" role="alert" hidden></p>
    </fieldset>
    <fieldset>
      <legend>Quantize</legend>
      <label>Colors (k) <input name="n_colors" type="number" inputmode="numeric" min="2" max="256" step="1" value="16" aria-describedby="image-msg-fields"></label>
      <label>Method
        <select name="method">
          <option value="kmeans">k-means (full)</option>
          <option value="minibatch">mini-batch k-means</option>
        </select>
      </label>
      <label>Dithering
        <select name="dither" aria-describedby="image-msg-dither">
          <option value="none">none</option>
          <option value="ordered">ordered (Bayer 8×8)</option>
          <option value="floyd-steinberg">error diffusion (Floyd–Steinberg)</option>
        </select>
      </label>
      <p class="form-error msg" id="image-msg-dither" data-msg="dither" role="alert" hidden></p>
      <label>Seed <input name="seed" type="number" inputmode="numeric" min="0" max="4294967295" step="1" value="0" aria-describedby="image-msg-fields"></label>
      <label class="check"><input type="checkbox" name="random_swap"> <span>Refine the palette with random swap (slower, lower error)</span></label>
      <p class="form-error msg image-error" id="image-msg-fields" data-msg="fields" role="alert" hidden></p>
    </fieldset>
    <div class="actions">
      <button type="submit" class="primary">Quantize</button>
      <button type="button" name="cancel" disabled>Cancel</button>
    </div>
    <p class="image-progress" aria-live="polite" hidden></p>
    <p class="form-error msg" data-msg="run" role="alert" hidden></p>
  </form>

  <div class="image-results">
    <figure class="plot compare">
      <div class="compare-bar">
        <fieldset class="view-mode">
          <legend class="sr-only">View</legend>
          <label><input type="radio" name="view" value="side" checked> Side by side</label>
          <label><input type="radio" name="view" value="split"> Split</label>
        </fieldset>
        <label>Zoom
          <select name="zoom">
            <option value="fit">Fit</option>
            <option value="1">100%</option>
            <option value="2">200%</option>
            <option value="4">400%</option>
            <option value="8">800%</option>
          </select>
        </label>
        <label class="split-label">Split position <input type="range" name="split" min="0" max="100" step="1" value="50"></label>
      </div>
      <div class="compare-scroll" tabindex="-1">
        <div class="compare-stage" data-mode="side">
          <div class="pane pane-original"><div class="pane-scroll"><canvas class="original" role="img" aria-label="Original image"></canvas></div><span class="tag">Original</span></div>
          <div class="pane pane-quantized"><div class="pane-scroll"><canvas class="quantized" role="img" aria-label="Quantized image"></canvas></div><span class="tag">Quantized</span></div>
          <div class="divider" aria-hidden="true"></div>
        </div>
      </div>
      <figcaption class="image-summary" aria-live="polite">Choose a photo, or try one of the two samples. Everything runs on your machine; nothing is uploaded.</figcaption>
    </figure>

    <section class="image-card measures-card" aria-label="Measures">
      <h3>Measures</h3>
      <dl class="measures">
        <div><dt>Colors before</dt><dd data-measure="n_colors_in">–</dd></div>
        <div><dt>Colors after</dt><dd data-measure="n_colors_out">–</dd></div>
        <div><dt>MSE</dt><dd data-measure="mse">–</dd></div>
        <div><dt>PSNR</dt><dd data-measure="psnr">–</dd></div>
        <div><dt>Time</dt><dd data-measure="time">–</dd></div>
        <div class="swap-measure" hidden><dt>Random swap</dt><dd data-measure="swap">–</dd></div>
      </dl>
      <p class="note" hidden></p>
    </section>

    <section class="image-card palette-card" aria-label="Palette">
      <h3>Palette</h3>
      <ol class="swatches" aria-label="Palette colors, most used first"></ol>
      <div class="actions wrap">
        <button type="button" name="download" disabled>Download PNG</button>
        <button type="button" name="copy-hex" disabled>Copy hex list</button>
        <button type="button" name="copy-css" disabled>Copy CSS properties</button>
        <button type="button" name="save-palette" disabled>Save palette (.css)</button>
      </div>
      <p class="download-info" aria-live="polite"></p>
    </section>

    <section class="image-card cloud-card" aria-label="Pixel cloud">
      <h3>Pixel cloud: 10,000 pixels in color space</h3>
      <canvas class="cloud-before" role="img" aria-label="Original colors of sampled pixels"></canvas>
      <canvas class="cloud-after" role="img" aria-label="Quantized colors of the same pixels"></canvas>
    </section>
  </div>
</div>`;
