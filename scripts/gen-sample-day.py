#!/usr/bin/env python3
"""Generates examples/sample-day.jsonl: one simulated day at a small Amazon Connect contact centre.

    python3 scripts/gen-sample-day.py [--out PATH]

Six agents work shifts on 2026-11-20 (times are UTC) and handle about sixty contacts: inbound
calls (some put on hold, a few missed by the first agent offered them, a few abandoned in queue),
agent-initiated outbound calls, chats (one rejected) and tasks (some paused and resumed). About a
third of the answered calls and chats get a `Disposition` attribute set by the agent during After
Call Work, and three calls have a long After Call Work (6-9 minutes). The day is simulated once and
written out as the three sources streamhooks ingests would see it:

- EventBridge "Amazon Connect Contact Event" documents (one per line), plus a few Contact Lens
  rule, analysis-state and metrics-rule events;
- Lambda Kinesis events from the agent event stream (1-5 base64 records per line): LOGIN, LOGOUT,
  STATE_CHANGE and HEART_BEAT records with full previous/current agent snapshots;
- `streamhooks.streams.v1` batches forwarded from each agent's browser (1-10 entries per line).

The same contact ids, agent ARNs and timestamps run through all three. Lines are sorted by the
time each document would reach streamhooks (EventBridge delivery, Lambda invocation, forwarder
flush). Deterministic: a fixed seed and base date; standard library only.
"""

import argparse
import base64
import datetime
import heapq
import json
import pathlib
import random
import uuid

SEED = 20261120
BASE = datetime.datetime(2026, 11, 20, tzinfo=datetime.timezone.utc)
ACCOUNT = "111122223333"
REGION = "us-west-2"

# The real agent event stream sends a HEART_BEAT after 120 s without another record; the sample
# thins them to one per 15 minutes of silence to keep the file a manageable size.
HEARTBEAT_EVERY_MS = 900_000
# ... except while an agent is in one of the long After Call Work periods: there the sample keeps
# the real cadence, so the stream shows the agent still holding the ended contact every 120 s.
HEARTBEAT_REAL_MS = 120_000
# "These events continue to be published up to an hour after an agent has logged off"; the
# sample keeps the first half hour of them.
HEARTBEATS_AFTER_LOGOUT_MS = 1_800_000
LAMBDA_BATCH_WINDOW_MS = 5_000
LAMBDA_MAX_RECORDS = 5
FORWARDER_FLUSH_MS = 2_000
FORWARDER_MAX_ENTRIES = 10

# Dispositions the agent picks in After Call Work (a user-defined contact attribute), with weights.
DISPOSITION_ATTRIBUTE = "Disposition"
DISPOSITIONS = [("Resolved", 7), ("Callback requested", 2), ("Escalated", 2), ("Sale", 1)]
DISPOSITION_SHARE = 0.32  # about a third of the answered voice and chat contacts
# Long After Call Work (6-9 minutes, past acw-watchdog's 180 s): the first inbound call to end in
# each of these windows, each with a different agent.
LONG_ACW_WINDOWS = [("08:30", "10:30"), ("12:00", "13:30"), ("14:45", "16:30")]
LONG_ACW_S = (360, 540)

rng = random.Random(SEED)


def new_id():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def hms(text):
    h, m = text.split(":")
    return (int(h) * 3600 + int(m) * 60) * 1000


def iso(ms):
    d = BASE + datetime.timedelta(milliseconds=ms)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def iso_sec(ms):
    d = BASE + datetime.timedelta(milliseconds=ms)
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_s(ms):
    return round((BASE + datetime.timedelta(milliseconds=ms)).timestamp(), 3)


def sec(a, b):
    return rng.randint(int(a * 1000), int(b * 1000))


# ---------------------------------------------------------------------------------------------
# The instance

INSTANCE_ID = new_id()
INSTANCE_ARN = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}"


def arn(kind, ident):
    return f"{INSTANCE_ARN}/{kind}/{ident}"


STATUSES = {  # agent-set statuses: name -> (ARN, server type)
    "Available": (arn("agent-state", new_id()), "ROUTABLE"),
    "Offline": (arn("agent-state", new_id()), "OFFLINE"),
    "Break": (arn("agent-state", new_id()), "CUSTOM"),
    "Lunch": (arn("agent-state", new_id()), "CUSTOM"),
    "Training": (arn("agent-state", new_id()), "CUSTOM"),
}
STREAMS_TYPE = {"ROUTABLE": "routable", "CUSTOM": "not_routable", "OFFLINE": "offline"}

QUEUES = {name: arn("queue", new_id()) for name in ("BasicQueue", "Support", "Billing", "Tasks")}
QUEUE_CHANNELS = {
    "BasicQueue": ["VOICE"],
    "Support": ["VOICE", "CHAT"],
    "Billing": ["VOICE", "CHAT"],
    "Tasks": ["TASK"],
}
PROFILES = {
    "Support - Voice and Chat": {
        "arn": arn("routing-profile", new_id()),
        "queues": ["Support", "Billing"],
        "concurrency": {"CHAT": 2, "VOICE": 1},
    },
    "Support - Omnichannel": {
        "arn": arn("routing-profile", new_id()),
        "queues": ["Support", "Billing", "Tasks"],
        "concurrency": {"CHAT": 2, "TASK": 1, "VOICE": 1},
    },
}
GROUPS = {
    "North America": arn("agent-group", new_id()),
    "Customer Care": arn("agent-group", new_id()),
    "Team Cedar": arn("agent-group", new_id()),
    "Team Pine": arn("agent-group", new_id()),
}
PHONE_NUMBER = "+18005550142"
FLOW_ARN = arn("contact-flow", new_id())

AGENT_SPECS = [
    # first, last, username, profile, team, shift, [(status, start, minutes)]
    ("Maria", "Santos", "msantos", "Support - Voice and Chat", "Team Cedar", ("08:00", "16:30"),
     [("Break", "10:15", 15), ("Lunch", "12:00", 40), ("Break", "14:45", 15)]),
    ("James", "Okafor", "jokafor", "Support - Voice and Chat", "Team Cedar", ("08:00", "16:30"),
     [("Break", "10:30", 15), ("Lunch", "12:30", 40), ("Break", "15:00", 15)]),
    ("Li", "Chen", "lchen", "Support - Omnichannel", "Team Cedar", ("09:00", "17:30"),
     [("Break", "11:15", 15), ("Lunch", "13:30", 45), ("Training", "15:45", 30)]),
    ("Aisha", "Rahman", "arahman", "Support - Voice and Chat", "Team Pine", ("09:00", "17:30"),
     [("Break", "11:00", 15), ("Lunch", "13:00", 45), ("Break", "15:30", 15)]),
    ("Diego", "Fernández", "dfernandez", "Support - Omnichannel", "Team Pine", ("10:00", "18:30"),
     [("Break", "12:15", 15), ("Lunch", "14:00", 40), ("Break", "16:30", 15)]),
    ("Hannah", "Keller", "hkeller", "Support - Voice and Chat", "Team Pine", ("10:00", "18:30"),
     [("Break", "12:30", 15), ("Lunch", "14:30", 40), ("Break", "16:45", 15)]),
]

# ---------------------------------------------------------------------------------------------
# Output collectors: (sort time in ms, tie-breaker, document)

EB_OUT = []
KIN_RECORDS = []  # (arrival ms, seq, partition key, agent event)
STREAMS_ENTRIES = {}  # agent username -> [(ms, entry)]
SEQ = [0]


def next_seq():
    SEQ[0] += 1
    return SEQ[0]


# ---------------------------------------------------------------------------------------------
# Agents


class Agent:
    def __init__(self, spec):
        first, last, username, profile, team, shift, breaks = spec
        self.first, self.last, self.username = first, last, username
        self.id = new_id()
        self.arn = arn("agent", self.id)
        self.profile = profile
        self.team = team
        self.shift_start = hms(shift[0]) + sec(-180, 120)
        self.shift_end = hms(shift[1]) + sec(-60, 240)
        self.breaks = [(name, hms(start) + sec(-120, 120), minutes * 60_000) for name, start, minutes in breaks]
        self.logged_in = False
        self.logging_out = False
        self.status = "Offline"
        self.status_since = 0
        self.next_status = None  # (name, enqueued ms, minutes for breaks)
        self.contacts = []  # ContactState objects, snapshot order
        self.streams_state = ("Offline", "offline", 0)  # name, type, since
        self.missed_lock = False
        self.reserved = False
        self.idle_since = 0
        self.kin_prev = None
        self.kin_times = []  # (ms, current snapshot) for heartbeat filling
        self.logout_at = None
        self.long_acw = []  # (start ms, end ms) of long After Call Work periods, for heartbeats
        self.websocket_down = (0, 0)  # (lost ms, regained ms) of the CCP's websocket drop

    # -- server-side (agent event stream) snapshot --
    def kin_configuration(self):
        p = PROFILES[self.profile]
        used = {}
        for cs in self.contacts:
            if cs.state in ("CONNECTING", "CONNECTED", "CONNECTED_ONHOLD", "ENDED", "PAUSED"):
                used[cs.contact.channel] = used.get(cs.contact.channel, 0) + 1
        busy_voice = used.get("VOICE", 0) > 0
        conc = []
        for ch, mx in sorted(p["concurrency"].items()):
            free = mx - used.get(ch, 0)
            if busy_voice and ch != "VOICE":
                free = 0  # a voice contact blocks the other channels
            conc.append({"AvailableSlots": max(free, 0), "Channel": ch, "MaximumSlots": mx})
        inbound = [{"ARN": f"{INSTANCE_ARN}/queue/agent/{self.id}", "Channels": ["VOICE", "CHAT", "TASK"], "Name": None}]
        inbound += [{"ARN": QUEUES[q], "Channels": QUEUE_CHANNELS[q], "Name": q} for q in p["queues"]]
        return {
            "AgentHierarchyGroups": {
                "Level1": {"ARN": GROUPS["North America"], "Name": "North America"},
                "Level2": {"ARN": GROUPS["Customer Care"], "Name": "Customer Care"},
                "Level3": {"ARN": GROUPS[self.team], "Name": self.team},
            },
            "FirstName": self.first,
            "LastName": self.last,
            "RoutingProfile": {
                "ARN": p["arn"],
                "Concurrency": conc,
                "DefaultOutboundQueue": {"ARN": QUEUES["BasicQueue"], "Channels": ["VOICE"], "Name": "BasicQueue"},
                "InboundQueues": inbound,
                "Name": self.profile,
            },
            "Username": self.username,
        }

    def kin_snapshot(self):
        a, typ = STATUSES[self.status]
        snap = {"AgentStatus": {"ARN": a, "Name": self.status, "StartTimestamp": iso(self.status_since), "Type": typ}}
        if self.next_status:
            name, enq, _ = self.next_status
            snap["NextAgentStatus"] = {"ARN": STATUSES[name][0], "Name": name, "EnqueuedTimestamp": iso(enq)}
        snap["Configuration"] = self.kin_configuration()
        snap["Contacts"] = [cs.kin() for cs in self.contacts]
        return snap

    def kin_emit(self, event_type, t):
        cur = self.kin_snapshot()
        doc = {
            "AWSAccountId": ACCOUNT,
            "AgentARN": self.arn,
            "CurrentAgentSnapshot": cur,
            "EventId": new_id(),
            "EventTimestamp": iso(t),
            "EventType": event_type,
            "InstanceARN": INSTANCE_ARN,
            "PreviousAgentSnapshot": self.kin_prev if event_type != "LOGIN" else None,
            "Version": "2017-10-01",
        }
        KIN_RECORDS.append((t + sec(0.15, 0.8), next_seq(), self.arn, doc))
        self.kin_prev = cur
        self.kin_times.append((t, cur))

    # -- browser-side (Streams) data --
    def streams_configuration(self):
        p = PROFILES[self.profile]
        queues = [{"name": None, "queueARN": f"{INSTANCE_ARN}/queue/agent/{self.id}"}]
        queues += [{"name": q, "queueARN": QUEUES[q]} for q in p["queues"]]
        return {
            "agentARN": self.arn,
            "username": self.username,
            "name": f"{self.first} {self.last}",
            "agentPreferences": {"locale": "en_US"},
            "dialableCountries": ["us", "ca"],
            "extension": "",
            "permissions": ["outboundCall", "voiceContactTransfer", "chatContactTransfer", "taskContactTransfer"],
            "routingProfile": {
                "name": self.profile,
                "routingProfileARN": p["arn"],
                "routingProfileId": p["arn"],
                "defaultOutboundQueue": {"name": "BasicQueue", "queueARN": QUEUES["BasicQueue"]},
                "queues": queues,
                "channelConcurrencyMap": dict(sorted(p["concurrency"].items())),
            },
            "softphoneAutoAccept": False,
            "softphoneEnabled": True,
        }

    def streams_agent(self, t):
        name, typ, since = self.streams_state
        next_state = None
        if self.next_status:
            n, enq, _ = self.next_status
            next_state = {"agentStateARN": STATUSES[n][0], "name": n, "startTimestamp": iso(enq), "type": STREAMS_TYPE[STATUSES[n][1]]}
        return {
            "snapshot": {
                "state": {
                    "agentStateARN": STATUSES[name][0] if name in STATUSES else None,
                    "name": name,
                    "startTimestamp": iso(since),
                    "type": typ,
                },
                "nextState": next_state,
                "agentAvailabilityState": {"state": self.status, "timeStamp": iso(self.status_since)},
                "snapshotTimestamp": iso(t),
            },
            "configuration": self.streams_configuration(),
        }

    def streams_emit(self, event, t, cs=None, data=None):
        entry = {"id": new_id(), "event": event, "occurred_at": iso(t)}
        if cs is not None:
            # contact::* entries carry the contact as Streams holds it ...
            entry["contact_id"] = cs.contact.id
            entry["contact"] = cs.streams(t)
        else:
            # ... agent::* entries the agent data (configuration included, contacts left out).
            entry["agent"] = self.streams_agent(t)
        if data is not None:
            entry["data"] = data
        STREAMS_ENTRIES.setdefault(self.username, []).append((t, entry))

    def set_streams_state(self, t, name, typ=None):
        """Changes the browser-side agent state, emitting what Streams would fire."""
        if typ is None:
            typ = STREAMS_TYPE[STATUSES[name][1]]
        old_name, old_typ, _ = self.streams_state
        self.streams_state = (name, typ, t)
        if old_typ != typ and typ in ("routable", "not_routable", "offline"):
            self.streams_emit(f"agent::{typ}", t)
        if old_name != name:
            self.streams_emit("agent::state_change", t, data={"oldState": old_name, "newState": name})
            if typ == "error":
                self.streams_emit("agent::error", t)
            if name == "AfterCallWork":
                self.streams_emit("agent::acw", t)

    def blocking(self):
        return [cs for cs in self.contacts if cs.state != "PAUSED"]

    def eligible(self, contact):
        return (
            self.logged_in
            and not self.logging_out
            and self.status == "Available"
            and self.next_status is None
            and not self.blocking()
            and not self.missed_lock
            and not self.reserved
            and contact.queue in PROFILES[self.profile]["queues"]
            and self.username not in contact.refused_by
            and not any(cs.contact.channel == contact.channel for cs in self.contacts)
        )


# ---------------------------------------------------------------------------------------------
# Contacts


class Contact:
    def __init__(self, channel, method, queue, arrival):
        self.id = new_id()
        self.channel = channel
        self.method = method
        self.queue = queue
        self.arrival = arrival
        self.system_at = None
        self.queued_at = None
        self.connected_at = None
        self.disconnected_at = None
        self.acw_end = None
        self.agent = None
        self.hold_ms = 0
        self.refused_by = set()
        self.flags = set()
        self.attributes = {}
        self.phone = "+1" + rng.choice(["206", "425", "253", "360", "503", "971"]) + "555" + f"{rng.randint(100, 199):04d}"
        self.customer_name = None
        self.done = False
        self.waiting = False
        self.patience = None  # set for the callers who hang up when kept waiting
        self.disposition = None  # (value, ms) once the agent set one in After Call Work


class ContactState:
    """One contact as one agent holds it."""

    def __init__(self, contact, state, since):
        self.contact = contact
        self.state = state  # server spelling: CONNECTING, CONNECTED, CONNECTED_ONHOLD, ...
        self.since = since
        self.agent_conn = new_id()
        self.customer_conn = new_id()
        self.customer_conn_state = ("connected", since)
        self.agent_conn_state = ("connecting", since)

    def kin(self):
        c = self.contact
        return {
            "Channel": c.channel,
            "ConnectedToAgentTimestamp": iso(c.connected_at) if c.connected_at and self.state != "CONNECTING" else None,
            "ContactId": c.id,
            "InitialContactId": None,
            "InitiationMethod": c.method,
            "Queue": {"ARN": QUEUES[c.queue], "Name": c.queue},
            "QueueTimestamp": iso(c.queued_at) if c.queued_at else None,
            "State": self.state,
            "StateStartTimestamp": iso(self.since),
        }

    def streams(self, t):
        c = self.contact
        st = {"CONNECTED_ONHOLD": "connected"}.get(self.state, self.state.lower())
        agent_conn = {
            "connectionId": self.agent_conn,
            "endpoint": {"agentLogin": None, "endpointARN": None, "name": None, "phoneNumber": None, "queue": None, "type": "agent"},
            "initial": c.method == "OUTBOUND",
            "mute": False,
            "state": {"timestamp": iso(self.agent_conn_state[1]), "type": self.agent_conn_state[0]},
            "type": "agent",
        }
        if c.channel == "VOICE":
            agent_conn["softphoneMediaInfo"] = {"autoAccept": False, "callType": "audio_only", "callConfigJson": "redacted",
                                                "callContextToken": "redacted", "mediaLegContextToken": "redacted"}
        elif c.channel == "CHAT":
            agent_conn["chatMediaInfo"] = {"chatAutoAccept": False, "connectionData": "redacted", "customerName": c.customer_name}
        conns = [agent_conn]
        if c.channel in ("VOICE", "CHAT"):
            conns.append({
                "connectionId": self.customer_conn,
                "endpoint": {"agentLogin": None, "endpointARN": None, "name": c.customer_name if c.channel == "CHAT" else None,
                             "phoneNumber": c.phone if c.channel == "VOICE" else None, "queue": None,
                             "type": "phone_number" if c.channel == "VOICE" else "agent"},
                "initial": c.method != "OUTBOUND",
                "mute": False,
                "state": {"timestamp": iso(self.customer_conn_state[1]), "type": self.customer_conn_state[0]},
                "type": "outbound" if c.method == "OUTBOUND" else "inbound",
            })
        base = c.connected_at if c.connected_at else t
        return {
            "attributes": {k: {"name": k, "value": v} for k, v in c.attributes.items()},
            "connections": conns,
            "contactDuration": str(max(0, (t - base) // 1000)),
            "contactId": c.id,
            "initialContactId": c.id,
            "initiationMethod": c.method.lower(),
            "queue": {"name": c.queue, "queueARN": QUEUES[c.queue]},
            "queueTimestamp": iso(c.queued_at) if c.queued_at else None,
            "state": {"timestamp": iso(self.since), "type": st},
            "type": c.channel.lower(),
        }


# ---------------------------------------------------------------------------------------------
# EventBridge


def eb_emit(detail_type, t, resources, detail):
    doc = {
        "version": "0",
        "id": new_id(),
        "detail-type": detail_type,
        "source": "aws.connect",
        "account": ACCOUNT,
        "time": iso_sec(t),
        "region": REGION,
        "resources": resources,
        "detail": detail,
    }
    EB_OUT.append((t + sec(0.4, 2.5), next_seq(), doc))


def eb_contact(event_type, c, t, agent=None, acw=False):
    d = {
        "eventType": event_type,
        "contactId": c.id,
        "initialContactId": c.id,
        "channel": c.channel,
        "instanceArn": INSTANCE_ARN,
        "initiationMethod": c.method,
        "initiationTimestamp": iso(c.arrival),
    }
    if c.system_at is not None and c.system_at <= t:
        d["connectedToSystemTimestamp"] = iso(c.system_at)
    if c.queued_at is not None and c.method != "OUTBOUND":
        d["queueInfo"] = {"queueArn": QUEUES[c.queue], "queueType": "STANDARD", "enqueueTimestamp": iso(c.queued_at)}
    if agent is not None:
        info = {"agentArn": agent.arn}
        if c.connected_at is not None:
            info["connectedToAgentTimestamp"] = iso(c.connected_at)
        if c.channel == "VOICE" and event_type in ("DISCONNECTED", "COMPLETED"):
            info["agentInitiatedHoldDuration"] = c.hold_ms // 1000
        if acw:
            info["afterContactWorkStartTimestamp"] = iso(c.disconnected_at)
            info["afterContactWorkEndTimestamp"] = iso(c.acw_end)
            info["afterContactWorkDuration"] = (c.acw_end - c.disconnected_at) // 1000
        info["hierarchyGroups"] = {
            "level1": {"arn": GROUPS["North America"]},
            "level2": {"arn": GROUPS["Customer Care"]},
            "level3": {"arn": GROUPS[agent.team]},
        }
        d["agentInfo"] = info
    if c.disconnected_at is not None and c.disconnected_at <= t:
        d["disconnectTimestamp"] = iso(c.disconnected_at)
        d["disconnectReason"] = "AGENT_DISCONNECT" if "agent_hangs_up" in c.flags else "CUSTOMER_DISCONNECT"
    if c.channel == "VOICE":
        if c.method == "OUTBOUND":
            d["customerEndpoint"] = {"type": "TELEPHONE_NUMBER", "address": c.phone}
        d["systemEndpoint"] = {"type": "TELEPHONE_NUMBER", "address": PHONE_NUMBER}
    elif c.channel == "CHAT":
        d["segmentAttributes"] = {"connect:Subtype": {"ValueString": "connect:Chat"}}
    elif c.channel == "TASK":
        d["segmentAttributes"] = {"connect:Subtype": {"ValueString": "connect:Task"}}
    if event_type == "CONTACT_DATA_UPDATED":
        d["updatedProperties"] = ["UserDefinedAttributes"]
    d["tags"] = {"aws:connect:instanceId": INSTANCE_ID}
    if c.channel == "VOICE":
        d["tags"]["aws:connect:systemEndpoint"] = PHONE_NUMBER
    eb_emit("Amazon Connect Contact Event", t, [arn("contact", c.id), INSTANCE_ARN], d)


def eb_rule(detail_type, t, c, agent, rule, action):
    eb_emit(detail_type, t, [arn("contact", c.id), INSTANCE_ARN], {
        "version": "1.0",
        "ruleName": rule,
        "actionName": action,
        "instanceArn": INSTANCE_ARN,
        "contactArn": arn("contact", c.id),
        "agentArn": agent.arn,
        "queueArn": QUEUES[c.queue],
    })


# ---------------------------------------------------------------------------------------------
# Simulation


class Sim:
    def __init__(self):
        self.heap = []
        self.agents = [Agent(s) for s in AGENT_SPECS]
        self.by_name = {a.username: a for a in self.agents}
        self.waiting = []  # contacts in queue, FIFO
        self.contacts = []
        self.metric_alerts = 0
        self.route_pending = False
        self.long_acw_used = set()  # indexes of LONG_ACW_WINDOWS used

    def at(self, t, fn, *args):
        heapq.heappush(self.heap, (t, next_seq(), fn, args))

    def run(self):
        while self.heap:
            t, _, fn, args = heapq.heappop(self.heap)
            fn(t, *args)

    # -- agent day --
    def plan_agents(self):
        for a in self.agents:
            self.at(a.shift_start, self.login, a)
            for name, start, dur in a.breaks:
                self.at(start, self.take_break, a, name, dur)
            self.at(a.shift_end, self.end_shift, a)

    def login(self, t, a):
        a.logged_in = True
        a.status, a.status_since = "Offline", t
        a.kin_emit("LOGIN", t)
        # The CCP opens: Streams gets its first agent data (refresh), then derives the
        # transitions from "no data" (routing type init, state name Init).
        t2 = t + sec(1.5, 4)
        a.streams_state = ("Offline", "offline", t)
        a.streams_emit("agent::refresh", t2)
        a.streams_emit("agent::offline", t2)
        a.streams_emit("agent::state_change", t2, data={"oldState": "Init", "newState": "Offline"})
        if a.username == "lchen":
            a.streams_emit("agent::softphone_error", t2 + 2_300, data={
                "errorType": "microphone_not_shared",
                "errorMessage": "The microphone is not shared: permission was dismissed",
                "endPointUrl": "https://example-corp.my.connect.aws/ccp-v2/softphone"})
        self.at(t + sec(25, 95), self.set_status, a, "Available", None)

    def set_status(self, t, a, name, minutes_ms):
        if not a.logged_in or (a.logging_out and name != "Offline"):
            return
        if name != "Available" and (a.blocking() or a.reserved):
            if a.next_status is None:
                a.next_status = (name, t, minutes_ms)
                a.kin_emit("STATE_CHANGE", t)
                a.streams_emit("agent::enqueued_next_state", t)
            return
        self.apply_status(t, a, name, minutes_ms)

    def apply_status(self, t, a, name, minutes_ms):
        a.status, a.status_since = name, t
        a.next_status = None
        a.kin_emit("STATE_CHANGE", t)
        if not a.blocking():
            a.set_streams_state(t, name)
        if name == "Available":
            a.idle_since = t
            self.route_soon(t)
        elif name == "Offline" and a.logging_out:
            self.at(t + sec(4, 30), self.logout, a)
        elif minutes_ms:
            self.at(t + minutes_ms + sec(-30, 90), self.set_status, a, "Available", None)

    def take_break(self, t, a, name, dur):
        if a.logging_out or not a.logged_in:
            return
        if a.next_status is not None or a.status != "Available":
            self.at(t + 60_000, self.take_break, a, name, dur)
            return
        self.set_status(t, a, name, dur)

    def change_of_mind(self, t, a):
        """While on a call the agent picks Break (enqueued), then thinks better of it."""
        on_call = any(cs.state == "CONNECTED" and cs.contact.channel == "VOICE" for cs in a.contacts)
        if not on_call or a.next_status is not None or a.logging_out:
            self.at(t + sec(50, 70), self.change_of_mind, a)
            return
        self.set_status(t, a, "Break", 15 * 60_000)
        self.at(t + sec(15, 30), self.clear_next, a)

    def clear_next(self, t, a):
        if a.next_status is None:
            return
        a.next_status = None
        a.kin_emit("STATE_CHANGE", t)
        a.streams_emit("agent::cleared_next_state", t)

    def end_shift(self, t, a):
        if any(cs.state == "PAUSED" for cs in a.contacts):
            self.at(t + 60_000, self.end_shift, a)
            return
        a.logging_out = True
        if a.next_status is not None:
            a.next_status = None  # replaced by Offline below
        self.set_status(t, a, "Offline", None)

    def logout(self, t, a):
        a.kin_emit("LOGOUT", t)
        a.logged_in = False
        a.logout_at = t

    def supervisor_moves(self, t, a, profile):
        if a.blocking() or not a.logged_in:
            self.at(t + 45_000, self.supervisor_moves, a, profile)
            return
        a.profile = profile
        a.kin_emit("STATE_CHANGE", t)  # configuration only
        a.streams_emit("agent::refresh", t + sec(0.5, 2))

    def websocket_blip(self, t, a):
        back = t + sec(3, 9)
        a.websocket_down = (t, back)
        a.streams_emit("agent::websocket_connection_lost", t)
        a.streams_emit("agent::websocket_connection_gained", back)

    # -- routing --
    def route_soon(self, t):
        if not self.route_pending:
            self.route_pending = True
            self.at(t + sec(0.3, 1.5), self.route)

    def route(self, t):
        self.route_pending = False
        for c in list(self.waiting):
            candidates = [a for a in self.agents if a.eligible(c)]
            if not candidates:
                continue
            a = min(candidates, key=lambda x: (x.idle_since, x.username))
            self.waiting.remove(c)
            c.waiting = False
            a.reserved = True
            self.at(t + sec(0.2, 0.9), self.offer, c, a)

    def enqueue(self, t, c):
        c.queued_at = t
        c.waiting = True
        self.waiting.append(c)
        eb_contact("QUEUED", c, t)
        if "abandons" in c.flags:
            self.at(t + c.patience, self.abandon, c)
        self.at(t + 120_000, self.check_wait, c)
        self.route_soon(t)

    def check_wait(self, t, c):
        if c.waiting and self.metric_alerts < 2:
            self.metric_alerts += 1
            eb_emit("Metrics Rules Matched", t + sec(5, 40), [INSTANCE_ARN], {
                "version": "1.0",
                "ruleName": f"{c.queue.upper()}_QUEUE_WAIT_OVER_2_MIN",
                "actionName": "ALERT_SUPERVISORS",
                "instanceArn": INSTANCE_ARN,
                "queueArn": QUEUES[c.queue],
                "metric": {"name": "OLDEST_CONTACT_AGE", "value": 120 + rng.randint(5, 40),
                           "threshold": {"comparison": "GT", "value": 120}},
            })

    def abandon(self, t, c):
        if not c.waiting:
            return
        self.waiting.remove(c)
        c.waiting = False
        c.disconnected_at = t
        c.done = True
        eb_contact("DISCONNECTED", c, t)
        eb_contact("COMPLETED", c, t + sec(0.1, 0.6))

    # -- contact arrival and IVR --
    def arrive(self, t, c):
        self.contacts.append(c)
        if c.method == "OUTBOUND":
            return
        eb_contact("INITIATED", c, t)
        c.system_at = t + sec(0.3, 0.8)
        if c.channel != "TASK":
            eb_contact("CONNECTED_TO_SYSTEM", c, c.system_at)
        ivr = {"VOICE": sec(12, 45), "CHAT": sec(3, 9), "TASK": sec(0.3, 1.0)}[c.channel]
        if c.attributes and c.channel != "TASK":
            eb_contact("CONTACT_DATA_UPDATED", c, t + ivr - sec(0.5, 2))
        self.at(t + ivr, self.enqueue, c)

    # -- offer / accept / connect --
    def offer(self, t, c, a):
        a.reserved = False
        if not a.logged_in or a.status != "Available" or a.blocking():
            c.waiting = True
            self.waiting.insert(0, c)
            self.route_soon(t)
            return
        c.agent = a
        cs = ContactState(c, "CONNECTING", t)
        a.contacts.append(cs)
        a.kin_emit("STATE_CHANGE", t)
        if c.channel == "VOICE":
            a.set_streams_state(t, "PendingBusy", "system")
        a.streams_emit("contact::connecting", t, cs)
        if "miss_first" in c.flags:
            c.flags.discard("miss_first")
            self.at(t + 20_000 + sec(0, 0.5), self.missed, a, cs)
        elif "reject_first" in c.flags:
            c.flags.discard("reject_first")
            self.at(t + sec(3, 6), self.rejected, a, cs)
        else:
            self.at(t + sec(2, 7), self.accept, a, cs)

    def accept(self, t, a, cs):
        a.streams_emit("contact::accepted", t, cs)
        self.at(t + sec(0.5, 1.4), self.connect, a, cs)

    def connect(self, t, a, cs):
        c = cs.contact
        c.connected_at = t
        cs.state, cs.since = "CONNECTED", t
        cs.agent_conn_state = ("connected", t)
        a.kin_emit("STATE_CHANGE", t)
        eb_contact("CONNECTED_TO_AGENT", c, t, a)
        if c.channel == "VOICE":
            a.set_streams_state(t, "Busy", "system")
        a.streams_emit("contact::connected", t, cs)
        if c.channel == "VOICE":
            self.plan_call(t, a, cs)
        elif c.channel == "CHAT":
            self.at(t + sec(240, 720), self.disconnect, a, cs)
        else:
            self.plan_task(t, a, cs)

    def missed(self, t, a, cs):
        c = cs.contact
        cs.state, cs.since = "MISSED", t
        a.kin_emit("STATE_CHANGE", t)
        a.missed_lock = True
        a.set_streams_state(t, "MissedCallAgent", "error")
        a.streams_emit("contact::ended", t, cs)
        a.streams_emit("contact::missed", t, cs)
        c.refused_by.add(a.username)
        c.agent = None
        c.waiting = True
        self.waiting.insert(0, c)
        self.route_soon(t)
        self.at(t + sec(2, 4), self.clear_refused, a, cs)
        self.at(t + sec(10, 25), self.recover_from_miss, a)
        self.at(t + 90_000, self.unrefuse, c, a)

    def rejected(self, t, a, cs):
        c = cs.contact
        cs.state, cs.since = "REJECTED", t
        a.kin_emit("STATE_CHANGE", t)
        a.streams_emit("contact::ended", t, cs)
        a.streams_emit("contact::missed", t, cs)
        c.refused_by.add(a.username)
        c.agent = None
        c.waiting = True
        self.waiting.insert(0, c)
        self.at(t + sec(1.5, 3), self.clear_refused, a, cs)
        self.at(t + 90_000, self.unrefuse, c, a)

    def clear_refused(self, t, a, cs):
        a.contacts.remove(cs)
        a.kin_emit("STATE_CHANGE", t)
        a.streams_emit("contact::destroyed", t, cs)
        self.route_soon(t)

    def unrefuse(self, t, c, a):
        c.refused_by.discard(a.username)
        self.route_soon(t)

    def recover_from_miss(self, t, a):
        a.missed_lock = False
        a.set_streams_state(t, a.status)
        a.idle_since = t
        self.route_soon(t)

    # -- voice --
    def plan_call(self, t, a, cs):
        c = cs.contact
        talk = sec(100, 560)
        if "hold" in c.flags:
            h0 = t + int(talk * rng.uniform(0.3, 0.6))
            hd = sec(25, 110)
            self.at(h0, self.hold, a, cs)
            self.at(h0 + hd, self.unhold, a, cs)
            c.hold_ms = hd
            talk += hd
        if "mute" in c.flags:
            m0 = t + int(talk * rng.uniform(0.15, 0.3))
            self.at(m0, self.mute, a, True)
            self.at(m0 + sec(5, 20), self.mute, a, False)
        if "lens_realtime" in c.flags:
            self.at(t + int(talk * 0.7), self.lens_realtime, a, c)
        self.at(t + talk, self.disconnect, a, cs)

    def hold(self, t, a, cs):
        cs.state, cs.since = "CONNECTED_ONHOLD", t
        cs.customer_conn_state = ("hold", t)
        a.kin_emit("STATE_CHANGE", t)
        a.streams_emit("contact::participant_hold", t, cs, {"connectionId": cs.customer_conn})

    def unhold(self, t, a, cs):
        cs.state, cs.since = "CONNECTED", t
        cs.customer_conn_state = ("connected", t)
        a.kin_emit("STATE_CHANGE", t)
        a.streams_emit("contact::participant_resume", t, cs, {"connectionId": cs.customer_conn})

    def mute(self, t, a, muted):
        a.streams_emit("agent::mute_toggle", t, data={"muted": muted})

    def lens_realtime(self, t, a, c):
        eb_rule("Contact Lens Realtime Rules Matched", t, c, a, "ACCOUNT_CANCELLATION", "NOTIFY_CUSTOMER_RETENTION")

    # -- tasks --
    def plan_task(self, t, a, cs):
        c = cs.contact
        if "pause" in c.flags:
            p0 = t + sec(150, 360)
            self.at(p0, self.pause, a, cs)
            self.at(p0 + sec(600, 1200), self.resume, a, cs)
        else:
            self.at(t + sec(420, 1100), self.disconnect, a, cs)

    def pause(self, t, a, cs):
        cs.state, cs.since = "PAUSED", t
        a.kin_emit("STATE_CHANGE", t)
        eb_contact("PAUSED", cs.contact, t, a)
        a.streams_emit("contact::refresh", t, cs)
        if a.status == "Available":
            a.idle_since = t
            self.route_soon(t)

    def resume(self, t, a, cs):
        if a.blocking() or a.reserved or a.status != "Available" or a.missed_lock:
            self.at(t + 30_000, self.resume, a, cs)
            return
        cs.state, cs.since = "CONNECTED", t
        a.kin_emit("STATE_CHANGE", t)
        eb_contact("RESUMED", cs.contact, t, a)
        a.streams_emit("contact::connected", t, cs)
        self.at(t + sec(180, 480), self.disconnect, a, cs)

    # -- ending --
    def disconnect(self, t, a, cs):
        c = cs.contact
        c.disconnected_at = t
        cs.state, cs.since = "ENDED", t
        cs.customer_conn_state = ("disconnected", t)
        a.kin_emit("STATE_CHANGE", t)
        eb_contact("DISCONNECTED", c, t, a)
        if c.channel == "VOICE":
            a.set_streams_state(t, "AfterCallWork", "system")
        a.streams_emit("contact::acw", t, cs)
        a.streams_emit("contact::ended", t, cs)
        acw = {"VOICE": sec(15, 95), "CHAT": sec(5, 40), "TASK": sec(10, 45)}[c.channel]
        if c.channel == "VOICE" and c.method == "INBOUND" and self.long_acw_due(t, a):
            c.flags.add("long_acw")
            # The agent writes up a complicated call: well past acw-watchdog's limit.
            acw = sec(*LONG_ACW_S)
            a.long_acw.append((t, t + acw))
            self.at(t + int(acw * rng.uniform(0.75, 0.95)), self.dispose, a, cs,
                    rng.choice(["Escalated", "Callback requested"]))
        elif c.channel in ("VOICE", "CHAT") and rng.random() < DISPOSITION_SHARE:
            value = rng.choices([d for d, _ in DISPOSITIONS], weights=[w for _, w in DISPOSITIONS])[0]
            self.at(t + max(1_000, int(acw * rng.uniform(0.3, 0.85))), self.dispose, a, cs, value)
        self.at(t + acw, self.clear, a, cs)

    def long_acw_due(self, t, a):
        for i, (start, end) in enumerate(LONG_ACW_WINDOWS):
            if i not in self.long_acw_used and hms(start) <= t < hms(end) and not a.long_acw:
                self.long_acw_used.add(i)
                return True
        return False

    def dispose(self, t, a, cs, value):
        """In After Call Work the agent picks a disposition: a user-defined contact attribute.

        EventBridge reports the update (CONTACT_DATA_UPDATED, UserDefinedAttributes); Streams
        refreshes the contact, whose snapshot carries the attribute from now on (contact::refresh
        now, or once a dropped websocket is back; contact::destroyed when the agent clears it).
        The agent event stream does not carry attributes and sends nothing for it.
        """
        c = cs.contact
        c.attributes[DISPOSITION_ATTRIBUTE] = value
        c.disposition = (value, t)
        eb_contact("CONTACT_DATA_UPDATED", c, t, a)
        lost, back = a.websocket_down
        # While the CCP's websocket is down, Streams learns of the change once it reconnects.
        a.streams_emit("contact::refresh", back + 150 if lost <= t < back else t, cs)

    def clear(self, t, a, cs):
        c = cs.contact
        c.acw_end = t
        c.done = True
        a.contacts.remove(cs)
        applied = None
        if a.next_status is not None and not a.blocking():
            applied = a.next_status
            a.status, a.status_since = applied[0], t
            a.next_status = None
        a.kin_emit("STATE_CHANGE", t)
        eb_contact("COMPLETED", c, t, a, acw=True)
        if not a.blocking():
            old_next = applied is not None
            a.set_streams_state(t, a.status)
            if old_next:
                a.streams_emit("agent::cleared_next_state", t)
        a.streams_emit("contact::destroyed", t, cs)
        if "lens_post" in c.flags:
            t2 = t + sec(60, 200)
            eb_emit("Contact Lens Analysis State Change", t2, [arn("contact", c.id), INSTANCE_ARN], {
                "version": "1.0",
                "instanceArn": INSTANCE_ARN,
                "contactArn": arn("contact", c.id),
                "channel": c.channel,
                "languageCode": "en-US",
                "analysisType": "POST_CONTACT",
                "analysisState": "COMPLETED",
                "analysisStateTimestamp": iso(t2 - 800),
            })
            name = "Contact Lens Post Call Rules Matched" if c.channel == "VOICE" else "Contact Lens Post Chat Rules Matched"
            eb_rule(name, t2 + sec(2, 10), c, a, "NEGATIVE_SENTIMENT_AT_END", "CREATE_SUPERVISOR_TASK")
        if applied is not None:
            name, _, dur = applied
            if name == "Offline" and a.logging_out:
                self.at(t + sec(4, 30), self.logout, a)
            elif dur:
                self.at(t + dur + sec(-30, 90), self.set_status, a, "Available", None)
        if a.status == "Available" and not a.blocking():
            a.idle_since = t
            self.route_soon(t)

    # -- outbound --
    def dial(self, t, a, c):
        if not a.logged_in or a.status != "Available" or a.blocking() or a.reserved or a.missed_lock or a.next_status:
            self.at(t + 90_000, self.dial, a, c)
            return
        c.arrival = t
        c.agent = a
        eb_contact("INITIATED", c, t)
        cs = ContactState(c, "CONNECTING", t + sec(0.2, 0.6))
        cs.agent_conn_state = ("connected", cs.since)
        cs.customer_conn_state = ("connecting", cs.since)
        a.contacts.append(cs)
        a.kin_emit("STATE_CHANGE", cs.since)
        a.set_streams_state(cs.since, "CallingCustomer", "system")
        a.streams_emit("contact::connecting", cs.since, cs)
        self.at(cs.since + sec(6, 18), self.answered, a, cs)

    def answered(self, t, a, cs):
        c = cs.contact
        c.connected_at = t
        c.system_at = t
        cs.state, cs.since = "CONNECTED", t
        cs.customer_conn_state = ("connected", t)
        a.kin_emit("STATE_CHANGE", t)
        eb_contact("CONNECTED_TO_AGENT", c, t, a)
        eb_contact("CONNECTED_TO_SYSTEM", c, t + sec(0.05, 0.4), a)
        a.set_streams_state(t, "Busy", "system")
        a.streams_emit("contact::connected", t, cs)
        self.plan_call(t, a, cs)


# ---------------------------------------------------------------------------------------------
# The day's contacts


FIRST_NAMES = ["Olivia", "Noah", "Emma", "Liam", "Ava", "Mateo", "Sofia", "Ethan", "Mia", "Lucas", "Zoe", "Omar", "Priya", "Kenji"]


def plan_contacts(sim):
    def arrivals(n, start, end, bursts=()):
        times = [rng.randint(hms(start), hms(end)) for _ in range(n)]
        for at, k in bursts:
            times += [hms(at) + rng.randint(0, 150_000) for _ in range(k)]
        return sorted(times)

    voice = arrivals(23, "08:08", "18:05", bursts=(("08:12", 6), ("12:41", 7), ("17:58", 4)))
    chats = arrivals(12, "08:30", "17:50")
    tasks = arrivals(4, "09:20", "15:00")
    specs = [("VOICE", t) for t in voice] + [("CHAT", t) for t in chats] + [("TASK", t) for t in tasks]
    specs.sort(key=lambda s: s[1])

    voice_contacts = []
    chat_contacts = []
    task_contacts = []
    for channel, t in specs:
        if channel == "VOICE":
            c = Contact("VOICE", "INBOUND", rng.choice(["Support", "Support", "Billing"]), t)
            if rng.random() < 0.45:
                c.attributes = {"CustomerId": f"C-{rng.randint(1000, 9999)}",
                                "IntentName": rng.choice(["BillingQuestion", "PasswordReset", "OrderStatus", "CancelAccount"])}
            if rng.random() < 0.35:
                c.flags.add("hold")
            if rng.random() < 0.15:
                c.flags.add("mute")
            if rng.random() < 0.2:
                c.flags.add("agent_hangs_up")
            voice_contacts.append(c)
        elif channel == "CHAT":
            c = Contact("CHAT", "API", rng.choice(["Support", "Billing"]), t)
            c.customer_name = rng.choice(FIRST_NAMES)
            c.attributes = {"CustomerId": f"C-{rng.randint(1000, 9999)}", "ChatOrigin": "web"}
            chat_contacts.append(c)
        else:
            c = Contact("TASK", "API", "Tasks", t)
            c.attributes = {"CaseNumber": f"CS-{rng.randint(20000, 29999)}"}
            task_contacts.append(c)
        sim.at(t, sim.arrive, c)

    # A few callers hang up after waiting a short while (they abandon if nobody is free).
    for c in rng.sample(voice_contacts, 18):
        c.flags.add("abandons")
        c.patience = sec(15, 70)
    for c in rng.sample([c for c in voice_contacts if "abandons" not in c.flags], 3):
        c.flags.add("miss_first")
    lens = [c for c in voice_contacts if "abandons" not in c.flags]
    for c in rng.sample(lens, 2):
        c.flags.add("lens_realtime")
    for c in rng.sample(lens, 2):
        c.flags.add("lens_post")
    for c in sorted(task_contacts, key=lambda c: c.arrival)[:2]:
        c.flags.add("pause")
    chat_contacts[3].flags.add("reject_first")
    chat_contacts[7].flags.add("lens_post")
    return voice_contacts, chat_contacts


def plan_outbound(sim):
    for username, at in (("jokafor", "09:41"), ("arahman", "11:52"), ("msantos", "14:20"), ("hkeller", "17:12")):
        a = sim.by_name[username]
        c = Contact("VOICE", "OUTBOUND", "BasicQueue", hms(at))
        if rng.random() < 0.5:
            c.flags.add("hold")
        sim.contacts.append(c)
        sim.at(hms(at) + sec(0, 60), sim.dial, a, c)


# ---------------------------------------------------------------------------------------------
# Writing the three sources


def heartbeats():
    for a in SIM.agents:
        times = a.kin_times
        end = (a.logout_at or times[-1][0]) + HEARTBEATS_AFTER_LOGOUT_MS
        for i, (t, snap) in enumerate(times):
            nxt = times[i + 1][0] if i + 1 < len(times) else end
            every = HEARTBEAT_REAL_MS if any(s <= t < e for s, e in a.long_acw) else HEARTBEAT_EVERY_MS
            hb = t + every
            while hb < nxt:
                doc = {
                    "AWSAccountId": ACCOUNT,
                    "AgentARN": a.arn,
                    "CurrentAgentSnapshot": snap,
                    "EventId": new_id(),
                    "EventTimestamp": iso(hb),
                    "EventType": "HEART_BEAT",
                    "InstanceARN": INSTANCE_ARN,
                    "PreviousAgentSnapshot": snap,
                    "Version": "2017-10-01",
                }
                KIN_RECORDS.append((hb + sec(0.15, 0.8), next_seq(), a.arn, doc))
                hb += every


def lambda_lines():
    records = sorted(KIN_RECORDS, key=lambda r: (r[0], r[1]))
    shard_seq = 49656729301718425766181839407617289012584221390476853250
    lines = []
    i = 0
    while i < len(records):
        start = records[i][0]
        cap = rng.randint(1, LAMBDA_MAX_RECORDS)
        group = [records[i]]
        i += 1
        while i < len(records) and len(group) < cap and records[i][0] <= start + LAMBDA_BATCH_WINDOW_MS:
            group.append(records[i])
            i += 1
        out = []
        for arrival, _, key, doc in group:
            shard_seq += rng.randint(10**17, 10**19)
            s = str(shard_seq)
            data = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
            out.append({
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": key,
                    "sequenceNumber": s,
                    "data": base64.b64encode(data).decode("ascii"),
                    "approximateArrivalTimestamp": epoch_s(arrival),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{s}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/streamhooks-agent-events-ingest",
                "awsRegion": REGION,
                "eventSourceARN": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/connect-agent-events",
            })
        invoked = max(group[-1][0], start + (LAMBDA_BATCH_WINDOW_MS if len(group) < cap else 0)) + sec(0.05, 0.4)
        lines.append((invoked, next_seq(), {"Records": out}))
    return lines


def streams_lines():
    lines = []
    for a in SIM.agents:
        entries = sorted(STREAMS_ENTRIES.get(a.username, []), key=lambda e: e[0])
        i = 0
        while i < len(entries):
            start = entries[i][0]
            group = [entries[i]]
            i += 1
            while i < len(entries) and len(group) < FORWARDER_MAX_ENTRIES and entries[i][0] <= start + FORWARDER_FLUSH_MS:
                group.append(entries[i])
                i += 1
            sent = max(group[-1][0], start + FORWARDER_FLUSH_MS if len(group) < FORWARDER_MAX_ENTRIES else 0) + sec(0.01, 0.2)
            lines.append((sent, next_seq(), {
                "format": "streamhooks.streams.v1",
                "agent_arn": a.arn,
                "sent_at": iso(sent),
                "client": {"forwarder": "0.1.0", "streams": "2.28.2"},
                "events": [e for _, e in group],
            }))
    return lines


SIM = None


def main():
    global SIM
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = pathlib.Path(__file__).resolve().parent.parent
    parser.add_argument("--out", default=str(root / "examples" / "sample-day.jsonl"))
    args = parser.parse_args()

    SIM = Sim()
    SIM.plan_agents()
    plan_contacts(SIM)
    plan_outbound(SIM)
    SIM.at(hms("12:50"), SIM.supervisor_moves, SIM.by_name["hkeller"], "Support - Omnichannel")
    SIM.at(hms("15:12") + 7_431, SIM.websocket_blip, SIM.by_name["arahman"])
    SIM.at(hms("11:05"), SIM.change_of_mind, SIM.by_name["hkeller"])
    SIM.run()
    heartbeats()

    lines = [(t, s, d) for t, s, d in EB_OUT] + lambda_lines() + streams_lines()
    lines.sort(key=lambda x: (x[0], x[1]))
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for _, _, doc in lines:
            f.write(json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n")

    done = [c for c in SIM.contacts if c.done]
    stuck = [c for c in SIM.contacts if not c.done]
    abandoned = [c for c in SIM.contacts if c.done and c.agent is None]
    print(f"wrote {out}: {len(lines)} lines, {out.stat().st_size} bytes; "
          f"{len(SIM.contacts)} contacts ({len(abandoned)} abandoned), "
          f"{len(EB_OUT)} EventBridge events, {len(KIN_RECORDS)} agent event stream records, "
          f"{sum(len(v) for v in STREAMS_ENTRIES.values())} Streams entries")
    disposed = [c for c in SIM.contacts if c.disposition]
    answered = [c for c in SIM.contacts if c.connected_at is not None and c.channel in ("VOICE", "CHAT")]
    print(f"dispositions: {len(disposed)} of {len(answered)} answered calls and chats "
          f"({', '.join(f'{d}: {sum(c.disposition[0] == d for c in disposed)}' for d, _ in DISPOSITIONS)})")
    for c in sorted((c for c in SIM.contacts if "long_acw" in c.flags), key=lambda c: c.arrival):
        print(f"long After Call Work: {c.agent.username}, contact {c.id}, {iso(c.disconnected_at)}, "
              f"{(c.acw_end - c.disconnected_at) / 1000:.0f} s, {c.disposition[0]}")
        if not 360_000 <= c.acw_end - c.disconnected_at <= 540_000:
            raise SystemExit(f"contact {c.id}: After Call Work of {c.acw_end - c.disconnected_at} ms")
    if len({c.agent.username for c in SIM.contacts if "long_acw" in c.flags}) != len(LONG_ACW_WINDOWS):
        raise SystemExit("a long After Call Work window found no call")
    if stuck:
        raise SystemExit(f"{len(stuck)} contacts never completed: {[c.id for c in stuck]}")


if __name__ == "__main__":
    main()
