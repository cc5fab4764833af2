"""The explanation text: one or two sentences a solution architect would say about a statement.

The first sentence says what the statement does and how its state grows; the sentences after
it say what decided (a fact from the DDL, or a guess from column names) and why the statement
runs as a single task, when it does.
"""

from __future__ import annotations

from sqlglot import exp

from estimator.sql.nodes import DIALECT, sink_table, table_name
from estimator.sql.rules import UNBOUNDED_OPS, Facts


def _names(items: list[str], limit: int = 3) -> str:
    if not items:
        return "its input"
    shown = items[:limit]
    more = len(items) - len(shown)
    text = ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    return text + (f" and {more} more" if more else "")


def _duration(interval_text: str) -> str:
    """'4 hours' for '4-hour'."""
    value, _, unit = interval_text.partition("-")
    if not unit:
        return interval_text
    return f"{value} {unit}" + ("" if value == "1" else "s")


def _state_clause(state: str, ttl: bool, bounded_by: str) -> str:
    if state == "unbounded":
        return "state grows without bound unless a state TTL is set"
    if state == "bounded" and ttl and bounded_by == "":
        return "a state TTL bounds its state"
    if state == "bounded":
        return f"state is bounded by {bounded_by}" if bounded_by else "state is bounded"
    return "no state"


def _main_sentence(
    facts: Facts,
    sources: list[str],
    sinks: list[str],
    statement_type: str,
    state: str,
    ttl: bool,
) -> str:
    ops = facts.operators
    src = _names(sources)
    into = f" into {_names(sinks)}" if sinks else ""
    keys = f" per {', '.join(facts.group_keys)}" if facts.group_keys else ""
    unbounded_ttl = ttl and bool(ops & UNBOUNDED_OPS)
    if "regular_join" in ops or "semi_anti_join" in ops:
        other = sources[1:] or ["itself"]
        verb = "Joins" if "regular_join" in ops else "Matches"
        how = "a regular join" if "regular_join" in ops else "an IN/EXISTS semi or anti join"
        what = f"{verb} {sources[0] if sources else 'its input'} with {_names(other)}{into}"
        tail = (
            "keeps every row of both sides in state, which a state TTL bounds"
            if unbounded_ttl
            else "keeps every row of both sides in state, growing without bound "
            "unless a state TTL is set"
        )
        sentence = f"{what} in {how}: {tail}."
    elif "interval_join" in ops:
        bound = _duration(facts.interval_bound) or "the interval"
        sentence = (
            f"Joins {sources[0] if sources else 'its input'} with {_names(sources[1:])}"
            f"{into} on a time interval: keeps {bound} of both sides in state."
        )
    elif "temporal_join" in ops or "lookup_join" in ops:
        left = sources[0] if sources else "its input"
        right = _names(sources[1:])
        if "temporal_join" in ops:
            sentence = (
                f"Joins {left} with the version of {right} valid at each row's event time"
                f"{into} (temporal join); state is bounded by the watermark."
            )
        else:
            sentence = (
                f"Looks up {right} for each row of {left}{into} (lookup join); "
                "state is bounded (only a lookup cache)."
            )
    elif "window_join" in ops:
        sentence = (
            f"Joins {_names(sources)}{into} within the same windows; "
            "state is bounded by the window."
        )
    elif "window_aggregate" in ops or "window_top_n" in ops:
        size = f"{facts.window_size} " if facts.window_size else ""
        kind = f"{facts.window_kind} " if facts.window_kind else ""
        verb = "Ranks the top rows of" if "window_top_n" in ops else "Aggregates"
        sentence = (
            f"{verb} {src}{keys} in {size}{kind}windows{into}; state is bounded by the window."
        )
    elif "match_recognize" in ops:
        within = f" within {_duration(facts.within)}" if facts.within else ""
        sentence = (
            f"Matches event patterns in {src}{into} with MATCH_RECOGNIZE{within}; "
            f"{_state_clause(state, ttl, 'the pattern and its time limit')}."
        )
    elif "deduplicate" in ops:
        sentence = (
            f"Deduplicates {src}{keys}{into}, keeping one row per key; "
            f"{_state_clause(state, ttl, '')}."
        )
    elif "top_n" in ops:
        n = f"{facts.rank_limit} " if facts.rank_limit else "N "
        sentence = f"Keeps the top {n}rows of {src}{keys}{into}; {_state_clause(state, ttl, '')}."
    elif "group_aggregate" in ops or "distinct" in ops or "global_aggregate" in ops:
        if "group_aggregate" in ops:
            what = f"Aggregates {src}{keys} with GROUP BY{into}"
        elif "global_aggregate" in ops:
            what = f"Aggregates all rows of {src} into one running result{into} at parallelism 1"
        else:
            what = f"Removes duplicate rows of {src}{into} (DISTINCT)"
        sentence = f"{what}; {_state_clause(state, ttl, '')}."
    elif "over_aggregate" in ops:
        sentence = (
            f"Computes OVER window aggregates on {src}{into}; state is bounded by the OVER range."
        )
    else:
        verbs = [
            verb
            for op, verb in (("union", "unions"), ("filter", "filters"), ("project", "reshapes"))
            if op in ops
        ]
        extras = [
            extra
            for op, extra in (
                ("unnest", "unnesting arrays"),
                ("table_function", "expanding rows with a table function"),
            )
            if op in ops
        ]
        phrase = " and ".join(verbs) if verbs else ("reads" if extras else "copies")
        target = src if sources else "literal rows"
        how = f", {' and '.join(extras)}" if extras else ""
        unchanged = " unchanged" if not verbs and not extras and sources else ""
        sentence = f"{phrase[0].upper()}{phrase[1:]} {target}{into}{unchanged}{how}; no state."
    if statement_type == "select":
        sentence = sentence[:-1] + " (interactive SELECT at parallelism 1)."
    return sentence


def ddl_explanation(tree: exp.Expr) -> str:
    tail = "DDL that runs once, briefly (about 1 CFU-minute); no state."
    if isinstance(tree, exp.Create):
        target = sink_table(tree.this)
        name = table_name(target) if target is not None else tree.this.sql(dialect=DIALECT)
        kind = str(tree.args.get("kind") or "object").lower()
        verb = "Registers" if kind == "function" else "Creates"
        return f"{verb} {kind} {name}: {tail}"
    if isinstance(tree, exp.Drop | exp.Alter):
        verb = "Drops" if isinstance(tree, exp.Drop) else "Alters"
        kind = str(tree.args.get("kind") or "object").lower()
        tables = tree.args.get("tables") or [tree.this]
        names = [table_name(t) for t in tables if isinstance(t, exp.Table)]
        return f"{verb} {kind} {_names(names)}: {tail}"
    if isinstance(tree, exp.Set):
        items = [i.this for i in tree.expressions if isinstance(i, exp.SetItem)]
        settings = [f"{i.this.name} = {i.expression.name}" for i in items if isinstance(i, exp.EQ)]
        what = ", ".join(settings) or "session options"
        return f"Sets {what} for the statements after it: {tail}"
    if isinstance(tree, exp.Use):
        use_kind = tree.args.get("kind")
        what = f"{use_kind.name.lower()} " if use_kind is not None else ""
        return f"Switches to {what}{tree.this.sql(dialect=DIALECT)}: {tail}"
    if isinstance(tree, exp.Describe):
        return f"Describes {tree.this.sql(dialect=DIALECT)}: {tail}"
    if isinstance(tree, exp.Command):
        kind, name = command_object(tree)
        if tree.name.upper() == "CREATE" and kind:
            return f"Creates {kind.lower()} {name}: {tail}"
        return f"Runs {tree.name.upper()} (metadata only): {tail}"
    return f"A {type(tree).__name__.upper()} statement: {tail}"


def explain(
    facts: Facts,
    sources: list[str],
    sinks: list[str],
    statement_type: str,
    state: str,
    ttl: bool,
) -> str:
    """What the statement does, then what decided and why it runs as a single task."""
    text = _main_sentence(facts, sources, sinks, statement_type, state, ttl)
    if facts.basis:
        text += f" Decided by: {'; '.join(facts.basis[:3])}."
    if facts.guesses:
        text += (
            f" A guess from column names: {'; '.join(facts.guesses[:3])} "
            "(add the CREATE TABLE statements to decide from facts)."
        )
    global_agg = "global_aggregate" in facts.operators  # the main sentence says it already
    if facts.single_task and statement_type != "select" and not global_agg:
        text += f" Parallelism 1: {facts.single_task}."
    return text


def command_object(tree: exp.Command) -> tuple[str, str]:
    """('MODEL', 'sentiment') for a CREATE [TEMPORARY] MODEL sentiment ... kept as text."""
    text = tree.expression
    text = text if isinstance(text, str) else (text.name if text is not None else "")
    words = [w for w in text.split() if w.upper() not in {"TEMPORARY", "SYSTEM", "OR", "REPLACE"}]
    kind = words[0].upper() if words else ""
    name = words[1] if len(words) > 1 and words[1].upper() not in {"IF"} else ""
    if name == "" and len(words) > 4:
        name = words[4]  # CREATE MODEL IF NOT EXISTS m
    return kind, name
