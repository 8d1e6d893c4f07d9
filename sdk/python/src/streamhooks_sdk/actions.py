"""Builders for the actions a plugin returns (the WIT variant ``action``).

Each function returns one ``Action`` (a ``types.Action_*`` case holding its record), the same
records the Rust SDK's constructors and builders make; optional parts are keyword arguments.
Every action must be granted by the plugin's manifest (``[grants]``, see ``docs/plugins.md``).

>>> from streamhooks_sdk import actions
>>> pop = actions.screen_pop("https://crm.example.com/customers/42", title="Customer")
>>> action = actions.client_screen_pop("arn:...:agent/a1", "contact-1", pop)
>>> actions.grant_name(action)
'client'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Callable, Optional, Union

from ._bindings import types

__all__ = [
    "Action",
    "Pairs",
    "action_name",
    "client",
    "client_screen_pop",
    "crm_create",
    "crm_update",
    "crm_upsert",
    "directive",
    "dismiss_user_contact",
    "grant_name",
    "monitor_contact",
    "publish",
    "put_user_status",
    "resume_call_recording",
    "resume_contact_recording",
    "screen_pop",
    "start_outbound_voice_contact",
    "start_task",
    "start_task_contact",
    "stop_contact",
    "suspend_call_recording",
    "suspend_contact_recording",
    "tag_contact",
    "task_reference",
    "transfer_contact",
    "update_contact",
    "update_contact_attributes",
]

#: One action: a ``types.Action_*`` case.
Action = types.Action

#: Key/value pairs (attributes, tags, screen-pop data): a mapping (in its order) or pairs.
Pairs = Union[Mapping[str, str], Iterable[tuple[str, str]]]


def _pairs(items: Pairs) -> list[tuple[str, str]]:
    pairs = list(items.items() if isinstance(items, Mapping) else items)
    for k, v in pairs:
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError(f"key/value pairs must be strings, not {k!r}: {v!r}")
    return pairs


def put_user_status(user_id: str, agent_status_id: str) -> Action:
    """Sets an agent's status (PutUserStatus); while the agent handles a contact, this sets the
    next status. Grant: ``put_user_status.statuses``."""
    return types.Action_PutUserStatus(types.PutUserStatus(user_id, agent_status_id))


def update_contact_attributes(initial_contact_id: str, attributes: Pairs) -> Action:
    """Creates or updates contact attributes (UpdateContactAttributes). Grant:
    ``update_contact_attributes.keys``."""
    return types.Action_UpdateContactAttributes(
        types.UpdateContactAttributes(initial_contact_id, _pairs(attributes))
    )


def update_contact(
    contact_id: str, *, name: Optional[str] = None, description: Optional[str] = None
) -> Action:
    """Updates the contact's name and/or description (UpdateContact). Grant:
    ``update_contact``."""
    return types.Action_UpdateContact(types.UpdateContact(contact_id, name, description))


def stop_contact(contact_id: str, reason: Optional[str] = None) -> Action:
    """Ends a contact (StopContact), with a custom disconnect reason where the channel allows
    one. Grant: ``stop_contact``."""
    return types.Action_StopContact(types.StopContact(contact_id, reason))


def transfer_contact(
    contact_id: str,
    contact_flow_id: str,
    *,
    queue_id: Optional[str] = None,
    user_id: Optional[str] = None,
) -> Action:
    """Transfers a task or email contact through a flow to a queue or an agent
    (TransferContact). Grant: ``transfer_contact.queues`` / ``.users``."""
    return types.Action_TransferContact(
        types.TransferContact(contact_id, contact_flow_id, queue_id, user_id)
    )


def task_reference(name: str, reference_type: str, value: str) -> types.TaskReference:
    """A reference shown with a task; ``reference_type`` is ``URL``, ``STRING``, ``NUMBER``,
    ``DATE`` or ``EMAIL``."""
    return types.TaskReference(name, reference_type, value)


def start_task_contact(
    name: str,
    *,
    description: Optional[str] = None,
    contact_flow_id: Optional[str] = None,
    task_template_id: Optional[str] = None,
    quick_connect_id: Optional[str] = None,
    previous_contact_id: Optional[str] = None,
    related_contact_id: Optional[str] = None,
    attributes: Pairs = (),
    references: Iterable[types.TaskReference] = (),
    scheduled_time: Optional[int] = None,
) -> Action:
    """Creates a task (StartTaskContact): give a flow, a template or a quick connect to route
    it; ``scheduled_time`` (epoch ms, at most 6 days ahead) schedules it. Grant:
    ``start_task_contact``."""
    return types.Action_StartTaskContact(
        types.StartTaskContact(
            name,
            description,
            contact_flow_id,
            task_template_id,
            quick_connect_id,
            previous_contact_id,
            related_contact_id,
            _pairs(attributes),
            list(references),
            scheduled_time,
        )
    )


def start_task(name: str, contact_flow_id: str) -> Action:
    """Creates a task routed by a flow; :func:`start_task_contact` for everything else. Grant:
    ``start_task_contact.contact_flows``."""
    return start_task_contact(name, contact_flow_id=contact_flow_id)


def start_outbound_voice_contact(
    destination_phone_number: str,
    contact_flow_id: str,
    *,
    queue_id: Optional[str] = None,
    source_phone_number: Optional[str] = None,
    related_contact_id: Optional[str] = None,
    attributes: Pairs = (),
) -> Action:
    """Places an outbound call to ``destination_phone_number`` (E.164) that runs a flow
    (StartOutboundVoiceContact). Grant: ``start_outbound_voice_contact.contact_flows`` /
    ``.destinations``."""
    return types.Action_StartOutboundVoiceContact(
        types.StartOutboundVoiceContact(
            destination_phone_number,
            contact_flow_id,
            queue_id,
            source_phone_number,
            related_contact_id,
            _pairs(attributes),
        )
    )


def dismiss_user_contact(user_id: str, contact_id: str) -> Action:
    """Clears a missed, ended or errored contact from an agent (DismissUserContact). Grant:
    ``dismiss_user_contact``."""
    return types.Action_DismissUserContact(types.DismissUserContact(user_id, contact_id))


def suspend_contact_recording(
    contact_id: str, initial_contact_id: str, recording_type: types.RecordingType
) -> Action:
    """Suspends a contact's call or screen recording (SuspendContactRecording). Grant:
    ``suspend_contact_recording``."""
    return types.Action_SuspendContactRecording(
        types.ContactRecording(contact_id, initial_contact_id, recording_type)
    )


def resume_contact_recording(
    contact_id: str, initial_contact_id: str, recording_type: types.RecordingType
) -> Action:
    """Resumes a contact's call or screen recording (ResumeContactRecording). Grant:
    ``resume_contact_recording``."""
    return types.Action_ResumeContactRecording(
        types.ContactRecording(contact_id, initial_contact_id, recording_type)
    )


def suspend_call_recording(contact_id: str, initial_contact_id: str) -> Action:
    """Suspends a contact's call recording. Grant: ``suspend_contact_recording``."""
    return suspend_contact_recording(contact_id, initial_contact_id, types.RecordingType.CALL)


def resume_call_recording(contact_id: str, initial_contact_id: str) -> Action:
    """Resumes a contact's call recording. Grant: ``resume_contact_recording``."""
    return resume_contact_recording(contact_id, initial_contact_id, types.RecordingType.CALL)


def monitor_contact(contact_id: str, user_id: str, capabilities: Iterable[str]) -> Action:
    """A supervisor monitors a contact (MonitorContact), with capabilities such as
    ``SILENT_MONITOR`` or ``BARGE``. Grant: ``monitor_contact``."""
    return types.Action_MonitorContact(
        types.MonitorContact(contact_id, user_id, list(capabilities))
    )


def tag_contact(contact_id: str, tags: Pairs) -> Action:
    """Tags a contact (TagContact). Grant: ``tag_contact.keys``."""
    return types.Action_TagContact(types.TagContact(contact_id, _pairs(tags)))


_DIRECTIVES_WITHOUT_ARGUMENT: dict[str, Callable[[], types.ClientDirective]] = {
    "accept": types.ClientDirective_Accept,
    "reject": types.ClientDirective_Reject,
    "hold": types.ClientDirective_Hold,
    "resume": types.ClientDirective_Resume,
    "conference": types.ClientDirective_Conference,
    "mute": types.ClientDirective_Mute,
    "unmute": types.ClientDirective_Unmute,
}
_DIRECTIVES_WITH_TEXT: dict[str, Callable[[str], types.ClientDirective]] = {
    "send-digits": types.ClientDirective_SendDigits,
    "set-state": types.ClientDirective_SetState,
}


def directive(name: str, argument: Optional[str] = None) -> types.ClientDirective:
    """A client directive by its grant name: ``accept``, ``reject``, ``hold``, ``resume``,
    ``conference``, ``mute``, ``unmute``, ``send-digits`` (``argument``: the digits) or
    ``set-state`` (``argument``: the state name); :func:`screen_pop` for a screen pop."""
    if name in _DIRECTIVES_WITHOUT_ARGUMENT:
        if argument is not None:
            raise ValueError(f"client directive {name!r} takes no argument")
        return _DIRECTIVES_WITHOUT_ARGUMENT[name]()
    if name in _DIRECTIVES_WITH_TEXT:
        if argument is None:
            raise ValueError(f"client directive {name!r} needs an argument")
        return _DIRECTIVES_WITH_TEXT[name](argument)
    raise ValueError(f"unknown client directive {name!r}")


def client(agent_arn: str, contact_id: Optional[str], directive: types.ClientDirective) -> Action:
    """A client directive for one agent's browser (run by the forwarder through Streams).
    Grant: ``client`` lists the directive names."""
    return types.Action_Client(types.ClientAction(agent_arn, contact_id, directive))


def screen_pop(
    url: Optional[str] = None, *, title: Optional[str] = None, data: Pairs = ()
) -> types.ScreenPop:
    """What a screen pop shows: a URL to open, a title, key/value data alongside."""
    return types.ScreenPop(url, title, _pairs(data))


def client_screen_pop(
    agent_arn: str, contact_id: Optional[str], screen_pop: types.ScreenPop
) -> Action:
    """Shows a record or data on an agent's screen (a ``screen-pop`` client directive). Grant:
    ``client = ["screen-pop"]``."""
    return client(agent_arn, contact_id, types.ClientDirective_ScreenPop(screen_pop))


def crm_upsert(connector: str, object: str, id_field: str, id: str, fields_json: str) -> Action:  # noqa: A002
    """Creates or updates the ``object`` record whose ``id_field`` is ``id`` (an upsert by
    external id). ``fields_json`` is a JSON object (see :class:`~streamhooks_sdk.json.JsonObject`).
    Grant: ``crm.connectors`` / ``.objects``."""
    return types.Action_Crm(
        types.CrmUpdate(connector, object, types.CrmOperation.UPSERT, id_field, id, fields_json)
    )


def crm_create(connector: str, object: str, fields_json: str) -> Action:  # noqa: A002
    """Creates a new ``object`` record. Grant: ``crm.connectors`` / ``.objects``."""
    return types.Action_Crm(
        types.CrmUpdate(connector, object, types.CrmOperation.CREATE, None, None, fields_json)
    )


def crm_update(connector: str, object: str, id: str, fields_json: str) -> Action:  # noqa: A002
    """Updates the ``object`` record with the CRM id ``id``. Grant: ``crm.connectors`` /
    ``.objects``."""
    return types.Action_Crm(
        types.CrmUpdate(connector, object, types.CrmOperation.UPDATE, None, id, fields_json)
    )


def publish(detail_type: str, detail_json: str) -> Action:
    """Publishes an event to EventBridge for other systems (the host sets the source). Grant:
    ``publish.detail_types``."""
    return types.Action_Publish(types.PublishEvent(detail_type, detail_json))


_NAMES = {
    types.Action_PutUserStatus: "put-user-status",
    types.Action_UpdateContactAttributes: "update-contact-attributes",
    types.Action_UpdateContact: "update-contact",
    types.Action_StopContact: "stop-contact",
    types.Action_TransferContact: "transfer-contact",
    types.Action_StartTaskContact: "start-task-contact",
    types.Action_StartOutboundVoiceContact: "start-outbound-voice-contact",
    types.Action_DismissUserContact: "dismiss-user-contact",
    types.Action_SuspendContactRecording: "suspend-contact-recording",
    types.Action_ResumeContactRecording: "resume-contact-recording",
    types.Action_MonitorContact: "monitor-contact",
    types.Action_TagContact: "tag-contact",
    types.Action_Client: "client",
    types.Action_Crm: "crm",
    types.Action_Publish: "publish",
}

#: Every case of the WIT variant ``action``.
ACTION_CASES = tuple(_NAMES)


def action_name(action: Action) -> str:
    """The action's WIT case name (``start-task-contact``, ``client`` ...), as
    ``streamhooks replay`` prints it."""
    return _NAMES[type(action)]


def grant_name(action: Action) -> str:
    """The action's type as its manifest grant names it (``put_user_status``, ``client`` ...)."""
    return action_name(action).replace("-", "_")
