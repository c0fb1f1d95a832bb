"""The "Where jobs run" fields: This computer (the default) or a Ray cluster, with its address.

Used by the Settings dialog (every project) and the Project Settings dialog (this project only,
or "As in Settings"). The fields are rows of the page's own form, so their labels share its
label column and their left edges line up with the fields above. Without Ray installed the cluster choice stays possible (a project may be
opened on a render machine later) and a line says how to add Ray.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QSpinBox

from model.farm import MISSING_RAY, FarmError, check_address, ray_available

HERE, CLUSTER, AS_SETTINGS = "here", "cluster", "settings"


class WhereJobsRun(QObject):
    """A combo (This computer / Ray cluster [/ As in Settings]), the cluster's address and, in
    Settings, how many jobs are sent at once: rows added to `form` (the page's form, not a form
    of their own, whose label column would be as wide as its own labels only)."""

    def __init__(self, address: str | None, form: QFormLayout, *, lanes: int | None = None) -> None:
        super().__init__(form.parentWidget() or form)
        self._form = form
        self.where = QComboBox()
        self.where.setObjectName("where_jobs_run")
        self.where.addItem("This computer", HERE)
        self.where.addItem("Ray cluster", CLUSTER)
        self.as_settings = lanes is None  # the project's fields: it may follow the Settings
        if self.as_settings:
            self.where.insertItem(0, "As in Settings", AS_SETTINGS)
        choice = AS_SETTINGS if address is None else (CLUSTER if address else HERE)
        self.where.setCurrentIndex(self.where.findData(choice))
        form.addRow("Where jobs run", self.where)
        self.address = QLineEdit(address or "")
        self.address.setObjectName("farm_address")
        self.address.setPlaceholderText("auto, ray://HOST:10001 or HOST:6379")
        form.addRow("Cluster address", self.address)
        self.lanes = None
        if lanes is not None:
            self.lanes = QSpinBox()
            self.lanes.setRange(1, 64)
            self.lanes.setValue(lanes)
            self.lanes.setSuffix(" jobs at once")
            form.addRow("Send to the cluster", self.lanes)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setProperty("role", "hint")
        form.addRow(self.hint)
        form.setRowVisible(self.hint, False)  # an empty hint row would leave a gap below the fields
        self.where.currentIndexChanged.connect(self._update)
        self.address.textChanged.connect(self._update)  # an error shown is taken back as it is fixed
        self._update()

    def _update(self) -> None:
        cluster = self.where.currentData() == CLUSTER
        self.address.setEnabled(cluster)
        if self.lanes is not None:
            self.lanes.setEnabled(cluster)
        if cluster and not ray_available():
            self.hint.setText(MISSING_RAY)
        elif cluster:
            self.hint.setText("Jobs go to the cluster's GPUs (python main.py farm status shows them); "
                              "this applies to projects opened from now on.")
        else:
            self.hint.setText("")
        self._form.setRowVisible(self.hint, bool(self.hint.text()))

    def show_problem(self, text: str) -> None:
        """Say under the fields what is wrong with them (`error()`)."""
        self.hint.setText(text)
        self._form.setRowVisible(self.hint, bool(text))

    def value(self) -> str | None:
        """"" (this computer), the cluster's address, or None (as in Settings); FarmError when
        the address can't be one."""
        choice = self.where.currentData()
        if choice == AS_SETTINGS:
            return None
        if choice == HERE:
            return ""
        return check_address(self.address.text())

    def error(self) -> str:
        """What is wrong with the fields, in one line ("" when nothing)."""
        try:
            self.value()
        except FarmError as exc:
            return str(exc)
        return ""
