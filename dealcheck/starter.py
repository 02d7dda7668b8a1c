"""The starter scenario ``dealcheck init`` writes: a small, commented file that passes ``validate`` and ``test``.

Kept as a string here (not a data file) so that it ships with the code and a test loads it exactly as written.
"""

from __future__ import annotations

__all__ = ["STARTER"]

STARTER = """\
# A dealcheck scenario: the negotiable terms, each party's red lines (hard) and demands (soft, weighted), and the
# packages on the table. Check it with `dealcheck {name}`; run its expectations with `dealcheck test {name}`.
# Editor completion and inline errors: `dealcheck schema > dealcheck.schema.json`, then keep the next line.
# yaml-language-server: $schema=dealcheck.schema.json
dealcheck: 1
title: {title}

# Where the positions come from. A quote names its source; `dealcheck validate --sources DIR` checks every quote
# against DIR/<file> when a source has a file.
sources:
  talks: {{title: "Notes from the first round", date: "2025-03-01"}}

# Terms are what a deal decides: options (a list; `ordered: true` allows <, >=), bool, or an integer range.
terms:
  ceasefire: {{options: [none, partial, full], ordered: true}}
  prisoner_exchange: bool
  aid_bn: {{range: [0, 50]}}

parties:
  north:
    name: North
    red_lines:  # a package that breaks one is unacceptable to North
      no_full_ceasefire:
        rule: ceasefire != "full"
        source: talks
        quote: "will not accept a full ceasefire"
    demands:    # the more a package meets (by weight), the better for North
      exchange: {{rule: prisoner_exchange, weight: 2, assumption: "stated aim, no quote yet"}}
  south:
    name: South
    red_lines:
      some_ceasefire: {{rule: ceasefire >= "partial", assumption: "a ceasefire of some kind comes first"}}
    demands:
      aid: {{rule: aid_bn >= 20, assumption: "South asks for substantial aid"}}

# Proposals. A package that leaves terms open is partial: dealcheck asks whether some completion is a deal.
packages:
  partial_truce: {{title: Partial truce, terms: {{ceasefire: partial}}}}
  full_truce: {{title: Full truce with aid, terms: {{ceasefire: full, prisoner_exchange: true, aid_bn: 30}}}}

# What you expect dealcheck to find; `dealcheck test` checks each line.
expect:
  - {{package: partial_truce, deal_possible: true}}
  - {{package: full_truce, not_acceptable_to: [north]}}
  - {{deals: ">= 1"}}
"""
