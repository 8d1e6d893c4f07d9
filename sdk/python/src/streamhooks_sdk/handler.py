"""The :class:`Handler` base class: one hook per event kind, dispatched by ``event.kind``, and
the component export componentize-py calls.

A plugin module (``app.py``) defines a subclass named ``Handler`` (componentize-py looks for the
class of the exported interface ``handler`` by that name) and overrides the hooks of the kinds
its manifest subscribes to::

    import streamhooks_sdk as sh

    class Handler(sh.Handler):
        def on_contact_participant_hold(self, event: sh.Event) -> list[sh.Action]:
            contact_id = event.require_contact_id()
            initial = event.initial_contact_id() or contact_id
            return [sh.actions.suspend_call_recording(contact_id, initial)]

A hook returns a list (or any iterable) of actions, or ``None`` for none, and raises
:class:`~streamhooks_sdk.PluginError` for a failure it detects itself. A
:class:`~streamhooks_sdk.StateError` it does not catch becomes a ``state`` plugin error (as
``?`` does in Rust); any other exception is a trap (inside the component, its traceback is
logged at ``error`` level first).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional

from . import host
from ._bindings import IN_COMPONENT, Err, Level, types
from .actions import ACTION_CASES, Action
from .errors import PluginError, StateError
from .event import Event
from .kinds import hook_name

__all__ = ["Handler", "HookResult"]

#: What a hook returns: actions (a list or any iterable), or ``None`` for none.
HookResult = Optional[Iterable[Action]]


def _checked(result: HookResult) -> list[Action]:
    if result is None:
        return []
    if isinstance(result, ACTION_CASES):
        raise TypeError("a hook returns a list of actions, not one action")
    actions = list(result)
    for action in actions:
        if not isinstance(action, ACTION_CASES):
            raise TypeError(
                f"a hook returned {action!r}, which is not an action "
                "(build actions with streamhooks_sdk.actions)"
            )
    return actions


def _trap_message(error: BaseException) -> str:
    # Frame by frame, without source lines: the traceback module reads source files, and
    # with --stub-wasi any file access traps.
    lines = []
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        lines.append(f'  File "{code.co_filename}", line {tb.tb_lineno}, in {code.co_name}')
        tb = tb.tb_next
    text = "\n".join(lines[-20:])
    message = f"uncaught {type(error).__name__} (the call traps): {error}"
    return f"{message}\n{text}"[:_MAX_TRACEBACK_CHARS]


_MAX_TRACEBACK_CHARS = 4000


class Handler:
    """A plugin's event handler: one hook per event kind (``on_`` + the kind in snake_case),
    each returning no actions unless overridden, so a plugin overrides only the hooks of the
    kinds it subscribes to. Kinds this SDK does not know go to :meth:`on_other`. Override
    :meth:`on_event` to handle every kind in one place.

    The host makes a fresh instance for every event: nothing lives between events but
    :mod:`~streamhooks_sdk.state`.
    """

    def handle(self, event: types.Event) -> list[Action]:
        """The WIT export ``handler.handle``, called by the component (and by
        :mod:`streamhooks_sdk.testing`): runs :meth:`on_event` and turns a
        :class:`~streamhooks_sdk.PluginError` (or an uncaught
        :class:`~streamhooks_sdk.StateError`) into the ``err`` result, which componentize-py
        takes as a raised ``Err(plugin-error)``. Not meant to be overridden."""
        try:
            result = self.on_event(Event.from_record(event))
            return _checked(result)
        except PluginError as e:
            raise Err(e.to_record()) from None
        except StateError as e:
            raise Err(PluginError.from_state_error(e).to_record()) from None
        except Err:
            raise
        except Exception as e:
            if IN_COMPONENT:
                # A trap reaches the host as "wasm `unreachable`" and the component has no
                # stderr: log the traceback so that `replay --logs` shows what went wrong.
                host.current().log(Level.ERROR, _trap_message(e))
            raise

    def on_event(self, event: Event) -> HookResult:
        """Handles one event. By default: the hook of the event's kind (``on_other`` for a
        kind this SDK does not know)."""
        hook = getattr(self, hook_name(event.kind))
        result: HookResult = hook(event)
        return result

    def on_other(self, event: Event) -> HookResult:
        """Handles a kind this SDK version does not know. Returns no actions unless
        overridden."""
        return None

    def on_agent_state_change(self, event: Event) -> HookResult:
        """Handles ``agent-state-change``: The agent's state name changed (Streams
        ``agent.onStateChange``); ``change`` has old and new names."""
        return None

    def on_agent_routable(self, event: Event) -> HookResult:
        """Handles ``agent-routable``: The agent became routable (Streams
        ``agent.onRoutable``)."""
        return None

    def on_agent_not_routable(self, event: Event) -> HookResult:
        """Handles ``agent-not-routable``: The agent is online but not routable (Streams
        ``agent.onNotRoutable``)."""
        return None

    def on_agent_offline(self, event: Event) -> HookResult:
        """Handles ``agent-offline``: The agent went offline (Streams ``agent.onOffline``)."""
        return None

    def on_agent_error(self, event: Event) -> HookResult:
        """Handles ``agent-error``: The agent entered an error state (Streams
        ``agent.onError``)."""
        return None

    def on_agent_softphone_error(self, event: Event) -> HookResult:
        """Handles ``agent-softphone-error``: The softphone reported an error (Streams
        ``agent.onSoftphoneError``); browser only."""
        return None

    def on_agent_after_call_work(self, event: Event) -> HookResult:
        """Handles ``agent-after-call-work``: The agent entered After Call Work for a voice
        contact (Streams ``agent.onAfterCallWork``)."""
        return None

    def on_agent_enqueued_next_state(self, event: Event) -> HookResult:
        """Handles ``agent-enqueued-next-state``: A next state was enqueued while the agent
        handles contacts (Streams ``agent.onEnqueuedNextState``)."""
        return None

    def on_agent_cleared_next_state(self, event: Event) -> HookResult:
        """Handles ``agent-cleared-next-state``: The enqueued next state was cleared (Streams
        ``agent.onClearedNextState``)."""
        return None

    def on_agent_mute_toggle(self, event: Event) -> HookResult:
        """Handles ``agent-mute-toggle``: The agent muted or unmuted (Streams
        ``agent.onMuteToggle``); browser only."""
        return None

    def on_agent_websocket_connection_lost(self, event: Event) -> HookResult:
        """Handles ``agent-websocket-connection-lost``: The browser lost its websocket to
        Amazon Connect (Streams ``agent.onWebSocketConnectionLost``)."""
        return None

    def on_agent_websocket_connection_gained(self, event: Event) -> HookResult:
        """Handles ``agent-websocket-connection-gained``: The browser regained its websocket
        (Streams ``agent.onWebSocketConnectionGained``)."""
        return None

    def on_agent_refresh(self, event: Event) -> HookResult:
        """Handles ``agent-refresh``: New agent data with no transition of its own (Streams
        ``agent.onRefresh``; agent event stream ``STATE_CHANGE`` with nothing else
        to derive)."""
        return None

    def on_agent_configuration_change(self, event: Event) -> HookResult:
        """Handles ``agent-configuration-change``: The agent's configuration changed (routing
        profile, queues, auto-accept ...); agent event stream only."""
        return None

    def on_agent_login(self, event: Event) -> HookResult:
        """Handles ``agent-login``: The agent logged in; agent event stream ``LOGIN``."""
        return None

    def on_agent_logout(self, event: Event) -> HookResult:
        """Handles ``agent-logout``: The agent logged out; agent event stream ``LOGOUT``."""
        return None

    def on_agent_heartbeat(self, event: Event) -> HookResult:
        """Handles ``agent-heartbeat``: Periodic heartbeat (every 120 s with no other event);
        agent event stream ``HEART_BEAT``."""
        return None

    def on_contact_incoming(self, event: Event) -> HookResult:
        """Handles ``contact-incoming``: A queued callback is incoming (Streams
        ``contact.onIncoming``)."""
        return None

    def on_contact_pending(self, event: Event) -> HookResult:
        """Handles ``contact-pending``: The contact is pending, before connecting (Streams
        ``contact.onPending``)."""
        return None

    def on_contact_connecting(self, event: Event) -> HookResult:
        """Handles ``contact-connecting``: The contact is offered to the agent, before
        accepting (Streams ``contact.onConnecting``)."""
        return None

    def on_contact_accepted(self, event: Event) -> HookResult:
        """Handles ``contact-accepted``: The agent accepted the contact (Streams
        ``contact.onAccepted``); browser only."""
        return None

    def on_contact_connected(self, event: Event) -> HookResult:
        """Handles ``contact-connected``: The contact is connected to the agent (Streams
        ``contact.onConnected``)."""
        return None

    def on_contact_missed(self, event: Event) -> HookResult:
        """Handles ``contact-missed``: The contact was missed or rejected, or the customer hung
        up before it was accepted (Streams ``contact.onMissed``)."""
        return None

    def on_contact_ended(self, event: Event) -> HookResult:
        """Handles ``contact-ended``: The contact ended: it left the active states (Streams
        ``contact.onEnded``)."""
        return None

    def on_contact_acw(self, event: Event) -> HookResult:
        """Handles ``contact-acw``: The contact entered After Contact Work, state ``ended``
        (Streams ``contact.onACW``)."""
        return None

    def on_contact_destroyed(self, event: Event) -> HookResult:
        """Handles ``contact-destroyed``: The contact was removed from the agent's snapshot
        (Streams ``contact.onDestroy``)."""
        return None

    def on_contact_error(self, event: Event) -> HookResult:
        """Handles ``contact-error``: The contact entered the error state (Streams
        ``contact.onError``)."""
        return None

    def on_contact_refresh(self, event: Event) -> HookResult:
        """Handles ``contact-refresh``: New contact data with no transition of its own (Streams
        ``contact.onRefresh``)."""
        return None

    def on_contact_participant_hold(self, event: Event) -> HookResult:
        """Handles ``contact-participant-hold``: The customer was put on hold (Streams
        ``voiceConnection.onParticipantHold``; agent event stream
        ``CONNECTED_ONHOLD``)."""
        return None

    def on_contact_participant_resume(self, event: Event) -> HookResult:
        """Handles ``contact-participant-resume``: The customer was taken off hold (Streams
        ``voiceConnection.onParticipantResume``; agent event stream
        ``CONNECTED_ONHOLD`` to ``CONNECTED``)."""
        return None

    def on_contact_paused(self, event: Event) -> HookResult:
        """Handles ``contact-paused``: A task contact was paused (EventBridge ``PAUSED``; agent
        event stream state ``PAUSED``)."""
        return None

    def on_contact_resumed(self, event: Event) -> HookResult:
        """Handles ``contact-resumed``: A paused task contact was resumed (EventBridge
        ``RESUMED``; agent event stream ``PAUSED`` to active)."""
        return None

    def on_contact_screen_sharing_started(self, event: Event) -> HookResult:
        """Handles ``contact-screen-sharing-started``: Screen sharing started (Streams
        ``contact.onScreenSharingStarted``); browser only."""
        return None

    def on_contact_screen_sharing_stopped(self, event: Event) -> HookResult:
        """Handles ``contact-screen-sharing-stopped``: Screen sharing stopped (Streams
        ``contact.onScreenSharingStopped``); browser only."""
        return None

    def on_contact_screen_sharing_error(self, event: Event) -> HookResult:
        """Handles ``contact-screen-sharing-error``: Screen sharing failed (Streams
        ``contact.onScreenSharingError``); browser only."""
        return None

    def on_contact_initiated(self, event: Event) -> HookResult:
        """Handles ``contact-initiated``: The contact was created (EventBridge ``INITIATED``)."""
        return None

    def on_contact_connected_to_system(self, event: Event) -> HookResult:
        """Handles ``contact-connected-to-system``: The contact reached Amazon Connect and runs
        a flow (EventBridge ``CONNECTED_TO_SYSTEM``)."""
        return None

    def on_contact_data_updated(self, event: Event) -> HookResult:
        """Handles ``contact-data-updated``: Contact data changed: attributes, tags, schedule,
        routing step (EventBridge ``CONTACT_DATA_UPDATED``)."""
        return None

    def on_contact_queued(self, event: Event) -> HookResult:
        """Handles ``contact-queued``: The contact was placed in a queue (EventBridge
        ``QUEUED``)."""
        return None

    def on_contact_connected_to_agent(self, event: Event) -> HookResult:
        """Handles ``contact-connected-to-agent``: The contact was connected to an agent
        (EventBridge ``CONNECTED_TO_AGENT``)."""
        return None

    def on_contact_disconnected(self, event: Event) -> HookResult:
        """Handles ``contact-disconnected``: The contact was disconnected (EventBridge
        ``DISCONNECTED``)."""
        return None

    def on_contact_completed(self, event: Event) -> HookResult:
        """Handles ``contact-completed``: The contact is complete, After Contact Work included
        (EventBridge ``COMPLETED``)."""
        return None

    def on_contact_amd_disabled(self, event: Event) -> HookResult:
        """Handles ``contact-amd-disabled``: Answering machine detection was disabled for the
        contact (EventBridge ``AMD_DISABLED``)."""
        return None

    def on_contact_other(self, event: Event) -> HookResult:
        """Handles ``contact-other``: An Amazon Connect contact event type this version does
        not model; ``source_type`` names it."""
        return None

    def on_contact_lens_rule_matched(self, event: Event) -> HookResult:
        """Handles ``contact-lens-rule-matched``: A Contact Lens rule matched (EventBridge
        ``Contact Lens ... Rules Matched``); ``rule`` says which."""
        return None

    def on_metrics_rule_matched(self, event: Event) -> HookResult:
        """Handles ``metrics-rule-matched``: A metrics rule matched (EventBridge ``Metrics
        Rules Matched``); ``rule`` says which."""
        return None

    def on_connect_other(self, event: Event) -> HookResult:
        """Handles ``connect-other``: Another Amazon Connect EventBridge event (``source_type``
        is its ``detail-type``)."""
        return None
