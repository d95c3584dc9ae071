// Digits panel: cluster the 1,797 handwritten digits without labels.
export class DigitsPanel {
  constructor(root, engine) {
    this.root = root;
    this.engine = engine;
  }
}
