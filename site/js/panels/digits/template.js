// The Digits panel's DOM: controls | results. Built once, then filled by the panel.
export const TEMPLATE = `
<div class="presets digits-presets" role="group" aria-label="Chapter presets">
  <span class="presets-label">From the chapter:</span>
  <button type="button" data-preset="raw">Raw pixels: about 79%</button>
  <button type="button" data-preset="tsne">t-SNE first: about 93%</button>
</div>
<div class="workspace digits-workspace">
  <form class="controls" novalidate>
    <fieldset>
      <legend>k-means</legend>
      <label>k (clusters) <input name="n_clusters" type="number" inputmode="numeric" min="2" max="30" step="1" value="10"></label>
      <label>Restarts (n_init) <input name="n_init" type="number" inputmode="numeric" min="1" max="50" step="1" value="10"></label>
      <label>Seed <input name="seed" type="number" inputmode="numeric" min="0" max="4294967295" step="1" value="0"></label>
    </fieldset>
    <fieldset>
      <legend>Before k-means</legend>
      <div class="digits-preprocess" role="radiogroup" aria-label="Preprocessing">
        <label class="radio"><input type="radio" name="preprocess" value="none" checked> Raw pixels (64 values)</label>
        <label class="radio"><input type="radio" name="preprocess" value="pca"> PCA</label>
        <label class="radio"><input type="radio" name="preprocess" value="tsne"> t-SNE to 2-D (the chapter's trick)</label>
      </div>
      <label data-for="pca" hidden>PCA components <input name="n_components" type="number" inputmode="numeric" min="1" max="64" step="1" value="10"></label>
      <label data-for="tsne" hidden>Perplexity <input name="perplexity" type="number" inputmode="decimal" min="2" max="100" step="1" value="30"></label>
      <label data-for="tsne" hidden>t-SNE iterations <input name="tsne_iter" type="number" inputmode="numeric" min="50" max="2000" step="10" value="500"></label>
    </fieldset>
    <div class="actions">
      <button type="submit" class="primary">Run</button>
      <button type="button" name="cancel" disabled>Cancel</button>
    </div>
    <p class="form-error" role="alert" hidden></p>
    <p class="digits-progress" aria-live="polite"></p>
  </form>
  <div class="digits-results">
    <p class="digits-summary" aria-live="polite">Press Run to cluster the 1,797 handwritten digits into k groups, without looking at their labels.</p>
    <section class="digits-card digits-embedding-card" hidden aria-labelledby="digits-embedding-title">
      <h3 id="digits-embedding-title">t-SNE embedding</h3>
      <figure class="plot">
        <canvas class="digits-embedding" role="img" aria-label="No embedding yet"></canvas>
        <figcaption class="digits-embedding-caption"></figcaption>
      </figure>
      <ul class="digits-legend" aria-label="Colors"></ul>
    </section>
    <section class="digits-card" aria-labelledby="digits-centers-title">
      <h3 id="digits-centers-title">Cluster centers</h3>
      <p class="muted digits-hint">Each center is the mean image of its cluster; under it, the digit it was matched to and the cluster's size. Select one to see its members.</p>
      <div class="digits-centers" role="list" aria-label="Cluster centers"></div>
    </section>
    <section class="digits-card" aria-labelledby="digits-restarts-title">
      <h3 id="digits-restarts-title">Restarts</h3>
      <p class="muted digits-hint">k-means keeps the restart with the lowest inertia; its accuracy after matching is not always the best one.</p>
      <div class="digits-table-wrap"><table class="digits-restarts">
        <caption class="visually-hidden">Inertia and accuracy of each restart</caption>
        <thead><tr><th scope="col">Restart</th><th scope="col">Inertia</th><th scope="col">Accuracy, majority</th><th scope="col">Accuracy, one-to-one</th></tr></thead>
        <tbody></tbody>
      </table></div>
    </section>
    <section class="digits-card" aria-labelledby="digits-confusion-title">
      <h3 id="digits-confusion-title">Confusion matrix</h3>
      <fieldset class="digits-matching">
        <legend>Label matching</legend>
        <label class="radio"><input type="radio" name="matching" value="majority" checked> Majority (the chapter's)</label>
        <label class="radio"><input type="radio" name="matching" value="hungarian"> One-to-one (Hungarian)</label>
      </fieldset>
      <div class="digits-table-wrap"><table class="digits-confusion"></table></div>
    </section>
    <section class="digits-card" aria-labelledby="digits-gallery-title">
      <h3 id="digits-gallery-title">Selected digits</h3>
      <figure class="digits-gallery-figure">
        <canvas class="digits-gallery" role="img" aria-label="No digits selected"></canvas>
        <figcaption class="digits-gallery-caption">Select a center or a cell of the confusion matrix.</figcaption>
      </figure>
    </section>
    <section class="digits-card" aria-labelledby="digits-draw-title">
      <h3 id="digits-draw-title">Draw a digit</h3>
      <div class="digits-draw">
        <canvas class="digits-pad" width="160" height="160" role="img" aria-label="Drawing pad: draw a digit with the mouse, a pen or a finger"></canvas>
        <div class="digits-draw-out">
          <div class="digits-pair">
            <figure><canvas class="digits-mine" width="8" height="8" role="img" aria-label="Your digit at 8 by 8: nothing drawn yet"></canvas><figcaption>Yours, 8×8</figcaption></figure>
            <figure><canvas class="digits-nearest" width="8" height="8" role="img" aria-label="Nearest center: none yet"></canvas><figcaption>Nearest center</figcaption></figure>
          </div>
          <p class="digits-prediction" aria-live="polite">Draw a digit in the box; it is shrunk to 8×8 pixels with values 0 to 16, like the dataset.</p>
          <button type="button" name="clear">Clear drawing</button>
        </div>
      </div>
    </section>
  </div>
</div>`;
