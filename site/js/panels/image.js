// Image panel: quantize a photo's colors locally.
export class ImagePanel {
  constructor(root, engine) {
    this.root = root;
    this.engine = engine;
  }
}
