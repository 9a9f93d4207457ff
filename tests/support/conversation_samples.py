"""Small conversation files in the vendors' own layouts, each with a known truth
(tests/data/conversations/README.md says it in words; tests/unit/conversations asserts it).

The same bytes are kept as files in tests/data/conversations/ for the parts that read
conversations further (matching, keeping, reading them); a test holds the two equal.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.paths import ROOT

DATA = ROOT / "tests" / "data" / "conversations"

ZOOM_VTT = """WEBVTT

1
00:00:01.230 --> 00:00:04.560
Dana Whitfield: Thanks for making time today, Marco.

2
00:00:04.900 --> 00:00:09.100
Dana Whitfield: I wanted to talk about the renewal
in March.

3
00:00:09.500 --> 00:00:15.000
Marco Ruiz: Sure. Honestly the price increase is a problem for us.

4
00:12:31.000 --> 00:12:36.250
Marco Ruiz: We are also looking at another vendor.

5
00:12:37.000 --> 00:12:40.000
Dana Whitfield: Understood. I will send a revised quote by Friday.
"""

TEAMS_VTT = """WEBVTT

NOTE duration:"00:01:21.0000000"

NOTE language:en-us

3f0c2a51-7d4e-4b8e-9a55-0c1f5e9d2b11/12-0
00:00:02.120 --> 00:00:05.480
<v Priya Nair>Good morning, can everyone hear me?</v>

3f0c2a51-7d4e-4b8e-9a55-0c1f5e9d2b11/12-1
00:00:05.480 --> 00:00:08.000
<v Priya Nair>Let's go through the onboarding plan.</v>

3f0c2a51-7d4e-4b8e-9a55-0c1f5e9d2b11/13-0
00:00:09.010 --> 00:00:13.700
<v Tom O'Brien>Yes. We still can&apos;t log in
with single sign-on.</v>

3f0c2a51-7d4e-4b8e-9a55-0c1f5e9d2b11/14-0
00:01:15.300 --> 00:01:20.000
<v Priya Nair>I'll raise it with support today.</v>
"""

MEET_VTT = """WEBVTT

00:00:00.000 --> 00:00:03.500
Ines Moreau: Hello, is the recording on?

00:00:03.600 --> 00:00:06.000
Yes, it is.

00:00:xx.000 --> 00:00:09.000
Ines Moreau: This cue's time is broken.

00:01:02.000 --> 00:01:05.000
Ines Moreau: Then let's review the quarterly usage.
"""

CALL_SRT = """1
00:00:00,500 --> 00:00:03,000
Alex Kim: Hi Jordan, thanks for joining.

2
00:00:03,200 --> 00:00:07,800
Jordan Lee: Happy to. We renewed last year
and the team loves the reports.

3
00:00:08,000 --> 00:00:10,000
Can you hear the echo?
"""

GONG_JSON = """{
  "requestId": "4al018gzaztcr8nbukw",
  "records": {"totalRecords": 1, "currentPageSize": 1, "currentPageNumber": 0},
  "calls": [
    {
      "metaData": {
        "id": "7782342274025937895",
        "url": "https://app.gong.io/call?id=7782342274025937895",
        "title": "Northwind renewal check-in",
        "scheduled": "2026-03-04T16:00:00-08:00",
        "started": "2026-03-04T16:01:12-08:00",
        "duration": 1830,
        "primaryUserId": "234599484848423",
        "direction": "Conference",
        "system": "Zoom",
        "scope": "External",
        "media": "Video",
        "language": "eng"
      },
      "parties": [
        {
          "id": "5667452225281740",
          "emailAddress": "Dana.Whitfield@ourco.example",
          "name": "Dana Whitfield",
          "title": "Account Manager",
          "userId": "234599484848423",
          "speakerId": "6432345678555530067",
          "affiliation": "Internal",
          "methods": ["Invitee"]
        },
        {
          "id": "5667452225281741",
          "emailAddress": "marco.ruiz@northwind.example",
          "name": "Marco Ruiz",
          "title": "Head of Operations",
          "speakerId": "8412385521003374412",
          "affiliation": "External",
          "methods": ["Invitee"]
        }
      ]
    }
  ],
  "callTranscripts": [
    {
      "callId": "7782342274025937895",
      "transcript": [
        {
          "speakerId": "6432345678555530067",
          "topic": "Call Setup",
          "sentences": [
            {"start": 1200, "end": 4500, "text": "Thanks for joining, Marco."},
            {"start": 4600, "end": 8000, "text": "How is the rollout going?"}
          ]
        },
        {
          "speakerId": "8412385521003374412",
          "topic": "Pricing",
          "sentences": [
            {"start": 751000, "end": 756000, "text": "The new pricing is hard to justify."}
          ]
        },
        {
          "speakerId": "6432345678555530067",
          "topic": "Next Steps",
          "sentences": [
            {"start": 1205300, "end": 1209000, "text": "I will send a proposal on Monday."}
          ]
        }
      ]
    }
  ]
}
"""

TRANSCRIPT_TXT = """Weekly sync, Contoso
[00:00:05] Lena Park: Morning all. Quick agenda today.
[00:00:12] Omar Haddad: Morning. We have a question about invoices.
The March invoice was charged twice.
Lena Park (00:01:02): Sorry about that, I'll get finance to refund it.

Omar Haddad: Thanks. Otherwise the rollout is going well.
"""

INTERCOM_JSON = """{
  "type": "conversation",
  "id": "1911149811",
  "created_at": 1772618400,
  "updated_at": 1772619000,
  "title": null,
  "state": "closed",
  "source": {
    "type": "conversation",
    "id": "403918320",
    "delivered_as": "customer_initiated",
    "subject": "",
    "body": "<p>Hi, our exports to CSV have been failing since Monday.</p><p>Can you help?</p>",
    "author": {
      "type": "user",
      "id": "5f1a2b3c4d5e6f7a8b9c0d1e",
      "name": "Grace Hopper",
      "email": "Grace@Initech.example"
    },
    "attachments": [],
    "url": "https://app.initech.example/reports",
    "redacted": false
  },
  "contacts": {
    "type": "contact.list",
    "contacts": [{"type": "contact", "id": "5f1a2b3c4d5e6f7a8b9c0d1e", "external_id": "cus_123"}]
  },
  "conversation_parts": {
    "type": "conversation_part.list",
    "conversation_parts": [
      {
        "type": "conversation_part",
        "id": "11",
        "part_type": "assignment",
        "body": null,
        "created_at": 1772618430,
        "author": {
          "type": "bot",
          "id": "1",
          "name": "Operator",
          "email": "operator@intercom.example"
        }
      },
      {
        "type": "conversation_part",
        "id": "12",
        "part_type": "comment",
        "body": "<p>Sorry to hear that! Which report is it?</p><img src=\\"https://tracker.example/p.gif\\">",
        "created_at": 1772618520,
        "author": {
          "type": "admin",
          "id": "814860",
          "name": "Sam Ortiz",
          "email": "sam@ourco.example"
        }
      },
      {
        "type": "conversation_part",
        "id": "13",
        "part_type": "note",
        "body": "<p>Known problem, fix due Friday.</p>",
        "created_at": 1772618550,
        "author": {
          "type": "admin",
          "id": "814860",
          "name": "Sam Ortiz",
          "email": "sam@ourco.example"
        }
      },
      {
        "type": "conversation_part",
        "id": "14",
        "part_type": "comment",
        "body": "<p>The &quot;Monthly revenue&quot; one &amp; the churn report.<br>Both fail.</p>",
        "created_at": 1772618800,
        "author": {
          "type": "user",
          "id": "5f1a2b3c4d5e6f7a8b9c0d1e",
          "name": "Grace Hopper",
          "email": "Grace@Initech.example"
        }
      }
    ],
    "total_count": 4
  }
}
"""

ZENDESK_CHAT_JSON = """{
  "chats": [
    {
      "id": "2603.10245.R7dT2wK9xYz1",
      "type": "chat",
      "timestamp": "2026-03-06T14:20:00Z",
      "visitor": {
        "id": "10245.abc",
        "name": "Hiroshi Tanaka",
        "email": "H.Tanaka@Globex.example",
        "phone": "",
        "notes": ""
      },
      "agent_names": ["Maria Lopez"],
      "agent_ids": ["361089721035"],
      "department_name": "Billing",
      "history": [
        {
          "type": "chat.memberjoin",
          "name": "Hiroshi Tanaka",
          "nick": "visitor:10245.abc",
          "timestamp": "2026-03-06T14:20:00Z"
        },
        {
          "type": "chat.msg",
          "name": "Hiroshi Tanaka",
          "nick": "visitor:10245.abc",
          "msg": "Hello, I need to update our billing address.",
          "timestamp": "2026-03-06T14:20:05Z"
        },
        {
          "type": "chat.memberjoin",
          "name": "Maria Lopez",
          "nick": "agent:361089721035",
          "timestamp": "2026-03-06T14:21:00Z"
        },
        {
          "type": "chat.msg",
          "name": "Maria Lopez",
          "nick": "agent:361089721035",
          "msg": "Hi Hiroshi, I can help with that.",
          "timestamp": "2026-03-06T14:21:10Z"
        },
        {
          "type": "chat.msg",
          "name": "Hiroshi Tanaka",
          "nick": "visitor:10245.abc",
          "msg": "Thanks! Also, can we cancel the extra seats?",
          "timestamp": 1772806950000
        },
        {
          "type": "chat.memberleave",
          "name": "Hiroshi Tanaka",
          "nick": "visitor:10245.abc",
          "timestamp": "2026-03-06T14:23:00Z"
        }
      ]
    }
  ],
  "count": 1,
  "next_url": null
}
"""

REPLY_EML = """Return-Path: <marco.ruiz@northwind.example>
Received: from mail.northwind.example (mail.northwind.example [192.0.2.10])
\tby mx.ourco.example with ESMTPS id 4f1c; Thu, 05 Mar 2026 08:15:02 +0000
From: =?UTF-8?Q?Marco_Ru=C3=ADz?= <Marco.Ruiz@Northwind.example>
To: Dana Whitfield <dana.whitfield@ourco.example>
Cc: finance@northwind.example, "Lee, Jordan" <JLee@northwind.example>
Subject: =?UTF-8?B?UmU6IFJlbmV3YWwg4oCUIHJldmlzZWQgcXVvdGU=?=
Date: Thu, 05 Mar 2026 09:15:00 +0100
Message-ID: <CAF3x9Qv8kz@mail.northwind.example>
In-Reply-To: <20260304171500.A1B2@ourco.example>
References: <20260301090000.Z9Y8@ourco.example>
 <20260304171500.A1B2@ourco.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Hi Dana,

Thanks for the quote. 12% is still too high for us; can you do 5%?

Best,
Marco

--=20
Marco Ru=C3=ADz | Head of Operations | Northwind
+1 555 0100

On Wed, 4 Mar 2026 at 18:15, Dana Whitfield <dana.whitfield@ourco.example> =
wrote:
> Hi Marco,
> Please find the revised quote attached: a 12% increase.
> Dana

--b1
Content-Type: application/pdf; name="quote-v2.pdf"
Content-Disposition: attachment; filename="quote-v2.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCg==
--b1--
"""

HTML_ONLY_EML = """From: Grace Hopper <grace@initech.example>
To: sam@ourco.example
Subject: Re: Export failures
Date: Fri, 06 Mar 2026 16:40:00 -0500
Message-ID: <abc123@initech.example>
In-Reply-To: <def456@ourco.example>
MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"

<html><head><style>p { color: red; }</style></head><body>
<div dir="ltr"><p>Hi Sam,</p><p>The exports work again &mdash; thank you!</p>
<img src="https://tracker.example/open.gif" width="1" height="1"></div>
<div class="gmail_quote"><div class="gmail_attr">On Fri, Mar 6, 2026 at 3:00 PM Sam Ortiz
&lt;sam@ourco.example&gt; wrote:</div>
<blockquote class="gmail_quote">We shipped a fix for the CSV exports.</blockquote></div>
</body></html>
"""

THREAD_MBOX = (
    """From 1826001111111111111@xxx Wed Mar 04 17:15:00 +0000 2026
X-GM-THRID: 1826001111111111111
X-Gmail-Labels: Sent,Opened
From: Dana Whitfield <dana.whitfield@ourco.example>
To: Marco Ruiz <marco.ruiz@northwind.example>
Subject: Renewal: revised quote
Date: Wed, 04 Mar 2026 18:15:00 +0100
Message-ID: <20260304171500.A1B2@ourco.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hi Marco,
Please find the revised quote attached: a 12% increase.
Dana

From 1826001111111111112@xxx Thu Mar 05 08:15:00 +0000 2026
X-GM-THRID: 1826001111111111111
X-Gmail-Labels: Inbox
From: Marco Ruiz <Marco.Ruiz@Northwind.example>
To: Dana Whitfield <dana.whitfield@ourco.example>
Subject: Re: Renewal: revised quote
Date: Thu, 05 Mar 2026 09:15:00 +0100
Message-ID: <CAF3x9Qv8kz@mail.northwind.example>
In-Reply-To: <20260304171500.A1B2@ourco.example>
References: <20260304171500.A1B2@ourco.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hi Dana,
12% is still too high for us; can you do 5%?
Marco

On Wed, 4 Mar 2026 at 18:15, Dana Whitfield <dana.whitfield@ourco.example> wrote:
> Hi Marco,
> Please find the revised quote attached: a 12% increase.

From 1826001111111111113@xxx Thu Mar 05 10:02:00 +0000 2026
X-GM-THRID: 1826001111111111111
X-Gmail-Labels: Sent
From: Dana Whitfield <dana.whitfield@ourco.example>
To: Marco Ruiz <marco.ruiz@northwind.example>
Cc: Sales Desk <Sales@OurCo.example>
Subject: Re: Renewal: revised quote
Date: Thu, 05 Mar 2026 10:02:00 +0000
Message-ID: <20260305100200.C3D4@ourco.example>
In-Reply-To: <CAF3x9Qv8kz@mail.northwind.example>
References: <20260304171500.A1B2@ourco.example> <CAF3x9Qv8kz@mail.northwind.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Marco, 8% is the best I can do, with a two-year term.
Dana

"""
    + "-- \n"
    + """Dana Whitfield, Account Manager

"""
)

MENTIONS_CSV = """Handle,Created_At,Post,URL,Platform
@initech_grace,2026-03-07T08:30:00Z,"Loving the new dashboards from @ourco, setup took 10 minutes",https://social.example/initech_grace/1001,Mastodon
Marco Ruiz,2026-03-07 19:05,"=HYPERLINK(""https://evil.example"",""click"") the renewal price is a joke",https://social.example/marco/1002,LinkedIn
,,,,
Jordan Lee,not a date,Anyone else seeing slow exports today?,,Forum
Pat Doe,2026-03-08,,https://social.example/pat/1004,Forum
"""

# Four lines, two speakers, two of the lines carried on from the line before.
SHORT_CALL_TXT = """Anna Berg: Hi Sam, thanks for calling.
I wanted to go over the renewal with you.
Sam Lee: Thanks, Anna. The new price is hard to justify for us,
and we are looking at another vendor.
"""

HEADED_CALL_TXT = """Meeting: Renewal check-in
Date: November 20, 2026 3:30 PM
Attendees: Minh Williams <minh.williams@contoso.example>, Dana Whitfield

Dana Whitfield: Thanks for joining, Minh. How are the new reports working for you?
Minh Williams: They are useful. Honestly the new pricing is hard to justify for us.
Dana Whitfield: I will send you a revised quote by Friday.
"""

OWNER_CALL_TXT = """\
Dana Whitfield: Thanks for joining, Minh. How are the new reports working for you?
Minh Williams: They are useful. Honestly the new pricing is hard to justify for us.
Dana Whitfield: I will send you a revised quote by Friday.
"""

MONOLOGUE_SRT = """1
00:00:01,000 --> 00:00:04,000
Marco Ruiz: Thanks for the update on the roadmap.

2
00:00:04,500 --> 00:00:08,000
Marco Ruiz: The reports are much faster now.

3
00:03:10,000 --> 00:03:15,000
Marco Ruiz: We are also looking at another vendor.

4
00:03:16,000 --> 00:03:20,000
Dana Whitfield: Understood. I will send a revised quote by Friday.
"""

# Each sample as its file in tests/data/conversations/: the name and the text.
SAMPLES: dict[str, str] = {
    "zoom.vtt": ZOOM_VTT,
    "teams.vtt": TEAMS_VTT,
    "meet.vtt": MEET_VTT,
    "call.srt": CALL_SRT,
    "gong.json": GONG_JSON,
    "transcript.txt": TRANSCRIPT_TXT,
    "intercom.json": INTERCOM_JSON,
    "zendesk_chat.json": ZENDESK_CHAT_JSON,
    "reply.eml": REPLY_EML,
    "html_only.eml": HTML_ONLY_EML,
    "thread.mbox": THREAD_MBOX,
    "mentions.csv": MENTIONS_CSV,
    "short_call.txt": SHORT_CALL_TXT,
    "headed_call.txt": HEADED_CALL_TXT,
    "owner_call.txt": OWNER_CALL_TXT,
    "monologue.srt": MONOLOGUE_SRT,
}


def write_sample(folder: Path, name: str, text: str | None = None, **encoding: str) -> Path:
    """The sample ``name`` (or ``text``) written into ``folder``, UTF-8 unless told."""
    path = folder / name
    path.write_bytes((SAMPLES[name] if text is None else text).encode(**encoding))
    return path
