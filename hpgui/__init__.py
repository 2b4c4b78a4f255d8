"""hpgui: tune the hyperparameters of scikit-learn models from a window or a terminal."""

__version__ = "0.1.0"
