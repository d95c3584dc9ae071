"""make_blobs, make_moons, load_digits and the sample images against scikit-learn's."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import sklearn.datasets as skd

from kmeanslab.datasets import (
    _images,
    load_digits,
    load_sample_image,
    load_sample_images,
    make_blobs,
    make_moons,
)

IN_PYODIDE = sys.platform == "emscripten"


def test_blobs_shapes_and_dtypes():
    X, y = make_blobs(101, n_features=3, centers=4, random_state=0)
    Xs, ys = skd.make_blobs(101, n_features=3, centers=4, random_state=0)
    assert X.shape == Xs.shape == (101, 3) and X.dtype == np.float64
    assert y.dtype == np.intp
    np.testing.assert_array_equal(np.bincount(y), np.bincount(ys))  # 26, 25, 25, 25


def test_blobs_default_three_centers_in_box():
    X, y = make_blobs(random_state=1, shuffle=False)
    assert X.shape == (100, 2)
    np.testing.assert_array_equal(y, np.repeat([0, 1, 2], [34, 33, 33]))


def test_blobs_statistics_like_sklearn():
    centers = np.array([[0.0, 0.0], [5.0, 5.0], [-5.0, 5.0]])
    stds = [0.5, 1.0, 2.0]
    X, y = make_blobs(30000, centers=centers, cluster_std=stds, random_state=0)
    Xs, ys = skd.make_blobs(30000, centers=centers, cluster_std=stds, random_state=0)
    for j in range(3):
        for A, b in ((X, y), (Xs, ys)):
            np.testing.assert_allclose(A[b == j].mean(axis=0), centers[j], atol=0.05)
            np.testing.assert_allclose(A[b == j].std(axis=0), stds[j], rtol=0.03)


def test_blobs_random_centers_in_center_box():
    X, y = make_blobs(2000, n_features=4, centers=6, cluster_std=0.01, center_box=(2, 3),
                      random_state=0)
    means = np.array([X[y == j].mean(axis=0) for j in range(6)])
    assert ((means > 2 - 0.01) & (means < 3 + 0.01)).all()


def test_blobs_per_center_counts_and_determinism():
    X, y = make_blobs([10, 20, 30], random_state=3)
    np.testing.assert_array_equal(np.bincount(y), [10, 20, 30])
    X2, y2 = make_blobs([10, 20, 30], random_state=3)
    np.testing.assert_array_equal(X, X2)
    X3, _ = make_blobs([10, 20, 30], random_state=4)
    assert not np.array_equal(X, X3)
    with pytest.raises(ValueError, match="Length of `n_samples` not consistent"):
        make_blobs([10, 20], centers=[[0, 0], [1, 1], [2, 2]])


def test_blobs_shuffle():
    _, y = make_blobs(300, centers=3, shuffle=False, random_state=0)
    assert (np.diff(y) >= 0).all()
    _, y = make_blobs(300, centers=3, shuffle=True, random_state=0)
    assert not (np.diff(y) >= 0).all()


def test_moons_geometry_like_sklearn():
    X, y = make_moons(201, shuffle=False)
    Xs, ys = skd.make_moons(201, shuffle=False)
    np.testing.assert_allclose(X, Xs)  # no randomness without noise or shuffle
    np.testing.assert_array_equal(y, ys)
    assert y.dtype == np.intp
    r_out = np.hypot(X[y == 0, 0], X[y == 0, 1])
    r_in = np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5)
    np.testing.assert_allclose(r_out, 1.0)
    np.testing.assert_allclose(r_in, 1.0)
    assert (X[y == 0, 1] >= 0).all() and (X[y == 1, 1] <= 0.5 + 1e-12).all()


def test_moons_noise_and_shuffle():
    X, y = make_moons(4000, noise=0.1, random_state=0)
    Xs, ys = skd.make_moons(4000, noise=0.1, random_state=0)
    assert X.shape == Xs.shape and np.bincount(y).tolist() == np.bincount(ys).tolist()
    for A, b in ((X, y), (Xs, ys)):
        r_out = np.hypot(A[b == 0, 0], A[b == 0, 1])
        assert r_out.mean() == pytest.approx(1.0, abs=0.02)
    np.testing.assert_allclose(X.mean(axis=0), Xs.mean(axis=0), atol=0.03)
    np.testing.assert_allclose(X.std(axis=0), Xs.std(axis=0), rtol=0.03)
    assert not (np.diff(y) >= 0).all()


def test_moons_tuple():
    X, y = make_moons((30, 70), random_state=0)
    assert np.bincount(y).tolist() == [30, 70]
    with pytest.raises(ValueError, match="n_samples"):
        make_moons((1, 2, 3))


def test_load_digits_bunch_has_sklearns_keys():
    ours, sk = load_digits(), skd.load_digits()
    assert list(ours) == list(sk)  # data, target, frame, feature_names, target_names, ...
    assert ours.frame is None and ours.feature_names == sk.feature_names
    np.testing.assert_array_equal(ours.target_names, sk.target_names)
    assert "1797" in ours.DESCR and "0..16" in ours.DESCR
    assert load_digits(n_class=4).target_names.tolist() == [0, 1, 2, 3]


@pytest.fixture
def fresh_images(monkeypatch):
    """Forget the fetched JPEG bytes, so that each test finds them again."""
    monkeypatch.setattr(_images, "_RAW", {})
    return _images


@pytest.mark.parametrize("name", ["china.jpg", "flower.jpg"])
def test_sample_image_equals_sklearn(name, fresh_images):
    pytest.importorskip("PIL", reason="decoding the JPEG needs Pillow")
    ours, sk = load_sample_image(name), skd.load_sample_image(name)
    assert ours.dtype == np.uint8 and ours.shape == (427, 640, 3) == sk.shape
    np.testing.assert_array_equal(ours, sk)
    ours[0, 0] = 0  # the caller's own copy
    assert load_sample_image(name)[0, 0].tolist() == sk[0, 0].tolist()


def test_sample_images_bunch(fresh_images):
    pytest.importorskip("PIL", reason="decoding the JPEG needs Pillow")
    ours, sk = load_sample_images(), skd.load_sample_images()
    assert set(ours) == {"images", "filenames", "DESCR"}
    assert [f.rsplit("/", 1)[-1] for f in ours.filenames] == ["china.jpg", "flower.jpg"]
    for a, b in zip(ours.images, sk.images, strict=True):
        np.testing.assert_array_equal(a, b)
    assert "danielbuechele" in ours.DESCR and "creativecommons.org/licenses/by/2.0" in ours.DESCR


def test_sample_image_errors(monkeypatch, fresh_images):
    with pytest.raises(ValueError, match=r"image_name.*'china.jpg', 'flower.jpg'.*'lena.png'"):
        load_sample_image("lena.png")
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    with pytest.raises(ImportError, match=r"pip install pillow.*loadPackage\('pillow'\)"):
        load_sample_image("china.jpg")
    with pytest.raises(ImportError, match="Pillow"):
        load_sample_images()


def test_sample_image_sources(monkeypatch, tmp_path, fresh_images):
    """dist/data of a checkout first, then scikit-learn's copy; neither: where it looked."""
    pytest.importorskip("PIL", reason="decoding the JPEG needs Pillow")
    (tmp_path / "china.jpg").write_bytes(b"not a jpeg")
    monkeypatch.setattr(_images, "_DIST_DIR", tmp_path)
    with pytest.raises(OSError, match="cannot identify image"):  # dist/ copy comes first
        load_sample_image("china.jpg")
    flower = load_sample_image("flower.jpg")  # not in that folder: scikit-learn's copy
    assert flower.shape == (427, 640, 3)
    assert _images._RAW["flower.jpg"][1].endswith("sklearn/datasets/images/flower.jpg")
    monkeypatch.setattr(_images, "_RAW", {})
    monkeypatch.setattr(_images, "_SOURCES", (_images._from_dist,))
    with pytest.raises(FileNotFoundError, match=r"'flower.jpg' not found.*python build.py"):
        load_sample_image("flower.jpg")


@pytest.mark.skipif(not IN_PYODIDE, reason="the page's data/ folder is fetched in Pyodide only")
def test_sample_image_from_the_page(monkeypatch, fresh_images):
    """Inside Pyodide in a worker: the site's data/ copy, fetched next to the worker."""
    page_copy = _images._from_page("china.jpg")
    assert page_copy is not None and page_copy[1].endswith("/data/china.jpg")
    sk_copy = _images._from_sklearn("china.jpg")
    assert sk_copy is None or page_copy[0] == sk_copy[0]
    pytest.importorskip("PIL", reason="decoding the JPEG needs Pillow")
    monkeypatch.setattr(_images, "_SOURCES", (_images._from_page,))
    np.testing.assert_array_equal(load_sample_image("china.jpg"),
                                  skd.load_sample_image("china.jpg"))
