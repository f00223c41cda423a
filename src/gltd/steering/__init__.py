"""The steering registers of the GLTD: police operations and the actions it decides.

Every interface (web, command line, bilan) changes them through these functions, which
check the input (French messages naming the field), enforce who owns an action and
write the audit event in the same transaction as the change.
"""

from gltd.steering.actions import (
    ACTION_STATUS_LABELS,
    ActionInput,
    ActionRecord,
    check_action_editable,
    create_action,
    get_action,
    list_actions,
    may_steer_action,
    set_action_status,
    update_action,
)
from gltd.steering.operations import (
    OPERATION_KIND_LABELS,
    OperationInput,
    OperationRecord,
    create_operation,
    get_operation,
    list_operations,
    update_operation,
)
from gltd.steering.seizures import SEIZURE_FIELDS, seizures_from_form, seizures_to_form

__all__ = [
    "ACTION_STATUS_LABELS",
    "OPERATION_KIND_LABELS",
    "SEIZURE_FIELDS",
    "seizures_from_form",
    "seizures_to_form",
    "ActionInput",
    "ActionRecord",
    "OperationInput",
    "OperationRecord",
    "check_action_editable",
    "create_action",
    "create_operation",
    "get_action",
    "get_operation",
    "list_actions",
    "list_operations",
    "may_steer_action",
    "set_action_status",
    "update_action",
    "update_operation",
]
