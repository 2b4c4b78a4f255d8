"""Choose a folder to export into, an existing one or a new one typed by name.

Qt's folder dialog (and getExistingDirectory) refuses a name that does not exist yet ("Directory not
found"), so a user who wanted the exports in a new folder had to make it elsewhere first. This one
creates a typed folder when the user accepts it, and suggests a new name from the study.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QLineEdit, QMessageBox, QWidget


class FolderDialog(QFileDialog):
    def __init__(self, parent: QWidget | None, title: str, start: str, suggested: str = ""):
        super().__init__(parent, title, start)
        self.setFileMode(QFileDialog.FileMode.Directory)
        self.setOption(QFileDialog.Option.ShowDirsOnly, True)
        # Qt's own dialog: the platform's ones refuse new names the same way and cannot be taught not to.
        self.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        self.setLabelText(QFileDialog.DialogLabel.Accept, "Export Here")
        self.setLabelText(QFileDialog.DialogLabel.FileName, "Folder:")
        if suggested:
            edit = self.name_edit()
            if edit is not None:
                edit.setText(suggested)
        self.created: Path | None = None

    def name_edit(self) -> QLineEdit | None:
        return self.findChild(QLineEdit, "fileNameEdit")

    def accept(self) -> None:
        edit = self.name_edit()
        typed = edit.text().strip() if edit is not None else ""
        if typed:
            target = Path(typed).expanduser()
            if not target.is_absolute():
                target = Path(self.directory().absolutePath()) / target
            if not target.exists():
                try:
                    target.mkdir(parents=True)
                except OSError as exc:
                    QMessageBox.warning(self, self.windowTitle(),
                                        f"Cannot create the folder {target}: {exc.strerror or exc}. "
                                        "Choose another name or place.")
                    return
                self.created = target
                edit.setText(str(target))
        super().accept()


def choose_folder(parent: QWidget | None, title: str, start: str, suggested: str = "") -> str:
    """The chosen folder ("" if cancelled); a typed new name is created first."""
    dialog = FolderDialog(parent, title, start, suggested)
    if dialog.exec() != QFileDialog.DialogCode.Accepted:
        return ""
    chosen = dialog.selectedFiles()
    return chosen[0] if chosen else ""
