"""The shareable report: one self-contained HTML file about a study and its best model.

``content.gather`` collects what the report says (Qt-free, any thread); the charts are
PNG bytes drawn by the caller (``hpgui.gui.report_images`` draws them with the same
pyqtgraph code as the window); ``html.render`` lays both out as HTML with every text
escaped and every image embedded, so the file opens anywhere without a network.
"""

from .content import ReportContent, gather
from .html import render, write

__all__ = ["ReportContent", "gather", "render", "write"]
