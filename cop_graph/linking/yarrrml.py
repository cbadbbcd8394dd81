"""YARRRML (https://rml.io/yarrrml/spec/) read into RML, the W3C community's mapping language
that :mod:`cop_graph.linking.rml` runs.

The part of YARRRML that maps tables is read: ``prefixes``, ``base``, named ``sources``,
and per mapping its ``sources`` (``file~csv``, ``file~tsv``, ``file~json`` with an
iterator; or ``{access: file, referenceFormulation: csv, null: [NA]}``, whose ``null``
values, as in RML-IO, mean an empty cell), its subject ``s`` (a template; ``~blanknode``) and its ``po``
rules: ``[predicate, object]``, ``[predicate, object, datatype]``, ``[predicate, object,
lang~lang]``, ``a`` for ``rdf:type``, objects as templates, references ``$(column)`` or
constants, ``~iri`` / ``~lang``; or the long form with ``p``, ``o`` (``value``,
``datatype``, ``language``, ``type``) and joins to another mapping (``mapping`` with
``condition: {function: equal, parameters: [[str1, $(a)], [str2, $(b)]]}``); a mapping's own
``condition`` (``equal`` or ``notEqual`` of a column and a value: rows that fail it give no
triple), written in RML-FNML with IDLab's ``trueCondition``. Anything else
(graphs among it: an import is one named graph, its file) is named in a clear error
rather than left out.
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

RML = Namespace("http://w3id.org/rml/")
IDLAB_FN = Namespace("https://w3id.org/imec/idlab/function#")
GREL = Namespace("http://users.ugent.be/~bjdmeest/function/grel.ttl#")
_REFERENCE = re.compile(r"\$\(([^()]*)\)")
_FORMULATIONS = {"csv": RML.CSV, "tsv": RML.CSV, "json": RML.JSONPath}


class YarrrmlError(ValueError):
    """A YARRRML document this reader cannot map: the message says where and why."""


def to_rml(document: dict[str, Any]) -> tuple[Graph, dict[str, str]]:
    """The RML graph of a YARRRML document, and its prefixes."""
    prefixes = {str(k): str(v) for k, v in (document.get("prefixes") or {}).items()}
    reader = _Reader(prefixes, str(document.get("base") or ""), document.get("sources") or {})
    mappings = document.get("mappings")
    if not isinstance(mappings, dict):
        raise YarrrmlError("it needs a 'mappings:' section")
    maps = {name: URIRef(f"urn:x-cop-graph:mapping:{name}") for name in mappings}
    for name, body in mappings.items():
        if not isinstance(body, dict):
            raise YarrrmlError(f"mapping {name!r} must be a set of keys (sources, s, po)")
        reader.mapping(maps[name], name, body, maps)
    for prefix, namespace in prefixes.items():
        reader.graph.bind(prefix, namespace)
    return reader.graph, prefixes


class _Reader:
    def __init__(self, prefixes: dict[str, str], base: str, sources: dict[str, Any]) -> None:
        self.prefixes = {"rdf": str(RDF), "xsd": str(XSD), **prefixes}
        self.base = base
        self.sources = sources
        self.graph = Graph()
        self.graph.bind("rml", RML)

    def add(self, *triple: Any) -> None:
        self.graph.add(triple)

    def mapping(self, node: URIRef, name: str, body: dict[str, Any], maps: dict[str, URIRef]) -> None:
        unknown = sorted(set(body) - {"sources", "source", "s", "subject", "subjects", "po", "predicateobjects",
                                      "condition"})
        if unknown:
            raise YarrrmlError(f"mapping {name!r}: {unknown[0]!r} is not read by this importer")
        sources = body.get("sources", body.get("source"))
        source = self._source(name, sources)
        self.add(node, RDF.type, RML.TriplesMap)
        self.add(node, RML.logicalSource, source)
        subject = body.get("s", body.get("subject", body.get("subjects")))
        if subject is None:
            raise YarrrmlError(f"mapping {name!r} has no subject (s)")
        subject_map = BNode()
        self.add(node, RML.subjectMap, subject_map)
        if "condition" in body:  # rows that fail it give no subject, and so no triple
            subject_map = self._condition(subject_map, body["condition"], f"mapping {name!r}, its condition")
        self._term(subject_map, subject, f"mapping {name!r}, its subject", position="subject")
        for index, rule in enumerate(_as_list(body.get("po", body.get("predicateobjects"))), 1):
            self._rule(node, rule, f"mapping {name!r}, po rule {index}", maps)

    def _source(self, name: str, sources: Any) -> BNode:
        listed = _as_list(sources)
        if len(listed) != 1:
            raise YarrrmlError(f"mapping {name!r} needs exactly one source (this importer reads one table per mapping)")
        source = listed[0]
        if isinstance(source, str) and source in self.sources:
            source = self.sources[source]
        if isinstance(source, str):
            source = [source]
        nulls: list[Any] = []
        if isinstance(source, dict):
            # YAML reads an unquoted `null:` key as None: both spellings mean RML-IO's null values
            nulls = _as_list(source.get("null", source.get(None, [])))
            source = [f"{source.get('access', '')}~{source.get('referenceFormulation', '')}", source.get("iterator")]
        if not isinstance(source, list) or not source or not isinstance(source[0], str):
            raise YarrrmlError(f"mapping {name!r}: a source is written [file~csv] (or ~tsv, ~json with an iterator)")
        path, _, kind = source[0].rpartition("~")
        if not path or kind.lower() not in _FORMULATIONS:
            raise YarrrmlError(f"mapping {name!r}: source {source[0]!r} must end in ~csv, ~tsv or ~json")
        logical = BNode()
        self.add(logical, RML.source, Literal(path))
        self.add(logical, RML.referenceFormulation, _FORMULATIONS[kind.lower()])
        if kind.lower() == "tsv":
            self.add(logical, RML.separator, Literal("\t"))
        if len(source) > 1 and source[1]:
            self.add(logical, RML.iterator, Literal(str(source[1])))
        for null in nulls:  # RML-IO's null values: cells that hold no value ("NA")
            self.add(logical, RML.null, Literal(str(null)))
        return logical

    def _rule(self, node: URIRef, rule: Any, where: str, maps: dict[str, URIRef]) -> None:
        if isinstance(rule, dict):
            predicates, objects = rule.get("p", rule.get("predicates")), rule.get("o", rule.get("objects"))
            datatype = language = None
        elif isinstance(rule, list) and len(rule) in (2, 3):
            predicates, objects = rule[0], rule[1]
            third = str(rule[2]) if len(rule) == 3 else None
            language = third[:-5] if third and third.endswith("~lang") else None
            datatype = third if third and not language else None
        else:
            raise YarrrmlError(f"{where}: write it [predicate, object] or [predicate, object, datatype]")
        if predicates is None or objects is None:
            raise YarrrmlError(f"{where}: it needs a predicate (p) and an object (o)")
        rule_node = BNode()
        self.add(node, RML.predicateObjectMap, rule_node)
        for predicate in _as_list(predicates):
            predicate_map = BNode()
            self.add(rule_node, RML.predicateMap, predicate_map)
            self._term(predicate_map, "rdf:type~iri" if predicate == "a" else f"{predicate}~iri", where,
                       position="predicate")
        for obj in _as_list(objects):
            object_map = BNode()
            self.add(rule_node, RML.objectMap, object_map)
            if isinstance(obj, dict) and "mapping" in obj:
                self._join(object_map, obj, where, maps)
                continue
            if isinstance(obj, dict):
                value = obj.get("value")
                kind = obj.get("type")
                value = f"{value}~iri" if kind == "iri" else value
                datatype, language = obj.get("datatype", datatype), obj.get("language", language)
            else:
                value = obj
            typed = predicates == "a" or _as_list(predicates) == ["a"]
            self._term(object_map, value, where, position="class" if typed else "object")
            constant = self.graph.value(object_map, RML.constant)
            if isinstance(constant, Literal) and (datatype or language):  # a constant is the term itself
                self.graph.set((object_map, RML.constant, Literal(str(constant), lang=language or None,
                                datatype=None if language else self._iri(str(datatype), where))))
                continue
            if datatype:
                self.add(object_map, RML.datatype, self._iri(str(datatype), where))
            if language:
                self.add(object_map, RML.language, Literal(str(language)))

    def _condition(self, subject_map: BNode, condition: Any, where: str) -> BNode:
        """A mapping's condition in RML-FNML: the subject is IDLab's ``trueCondition`` of the
        test (``equal`` or ``notEqual`` of a column and a value) and the subject template.
        Returns the term map the subject's own template goes in."""
        parameters = {str(p[0]): p[1] for p in (condition or {}).get("parameters", [])
                      if isinstance(p, list) and len(p) == 2} if isinstance(condition, dict) else {}
        function = condition.get("function") if isinstance(condition, dict) else None
        if function not in ("equal", "notEqual") or set(parameters) != {"str1", "str2"}:
            raise YarrrmlError(f"{where}: a condition is function: equal or notEqual with parameters "
                               "[[str1, $(column)], [str2, value]]")
        self.add(subject_map, RML.termType, RML.IRI)
        outer = BNode()
        self.add(subject_map, RML.functionExecution, outer)
        self.add(outer, RML.function, IDLAB_FN.trueCondition)
        test, value = self._input(outer, IDLAB_FN.strBoolean), self._input(outer, IDLAB_FN.str)
        inner = BNode()
        self.add(test, RML.functionExecution, inner)
        self.add(inner, RML.function, IDLAB_FN[function])
        for name, parameter in (("str1", GREL.valueParameter), ("str2", GREL.valueParameter2)):
            self._term(self._input(inner, parameter), parameters[name], where, position="object")
        return value

    def _input(self, execution: BNode, parameter: URIRef) -> BNode:
        given, value_map = BNode(), BNode()
        self.add(execution, RML.input, given)
        self.add(given, RML.parameter, parameter)
        self.add(given, RML.inputValueMap, value_map)
        return value_map

    def _join(self, object_map: BNode, obj: dict[str, Any], where: str, maps: dict[str, URIRef]) -> None:
        if obj["mapping"] not in maps:
            raise YarrrmlError(f"{where}: no mapping {obj['mapping']!r} to join with")
        self.add(object_map, RML.parentTriplesMap, maps[obj["mapping"]])
        for condition in _as_list(obj.get("condition")):
            parameters = {str(p[0]): str(p[1]) for p in condition.get("parameters", []) if len(p) == 2}
            child, parent = (_REFERENCE.fullmatch(parameters.get(k, "")) for k in ("str1", "str2"))
            if condition.get("function") != "equal" or not child or not parent:
                raise YarrrmlError(f"{where}: a join condition is function: equal with parameters "
                                   "[[str1, $(child column)], [str2, $(parent column)]]")
            join = BNode()
            self.add(object_map, RML.joinCondition, join)
            self.add(join, RML.child, Literal(child.group(1)))
            self.add(join, RML.parent, Literal(parent.group(1)))

    def _term(self, term_map: BNode, value: Any, where: str, position: str) -> None:
        if not isinstance(value, (str, int, float, bool)):
            raise YarrrmlError(f"{where}: {value!r} is not a value this importer reads")
        text = str(value).lower() if isinstance(value, bool) else str(value)
        kind = None
        for suffix in ("~iri", "~blanknode", "~literal"):
            if text.endswith(suffix):
                text, kind = text[:-len(suffix)], suffix[1:]
        kind = kind or ("iri" if position in ("subject", "predicate", "class") else "literal")
        references = _REFERENCE.findall(text)
        if kind == "iri" and not references:
            self.add(term_map, RML.constant, self._iri(text, where))
        elif kind == "blanknode" and not references:
            self.add(term_map, RML.termType, RML.BlankNode)
        elif _REFERENCE.fullmatch(text) and kind in ("literal", "iri"):
            # a whole cell: its value as it is (an IRI cell is not percent-encoded, as a template part is)
            self.add(term_map, RML.reference, Literal(references[0]))
        elif references:
            template = _REFERENCE.sub(lambda m: "{" + m.group(1) + "}", text.replace("{", "\\{").replace("}", "\\}"))
            if kind == "iri":
                template = self._expand(template)
            self.add(term_map, RML.template, Literal(template))
        else:
            self.add(term_map, RML.constant, Literal(text))
        if kind == "blanknode":
            self.add(term_map, RML.termType, RML.BlankNode)
        elif kind == "iri" and references:
            self.add(term_map, RML.termType, RML.IRI)
        elif kind == "literal" and references:
            self.add(term_map, RML.termType, RML.Literal)

    def _iri(self, text: str, where: str) -> URIRef:
        expanded = self._expand(text)
        if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", expanded):
            raise YarrrmlError(f"{where}: {text!r} is not an IRI (an undeclared prefix?)")
        return URIRef(expanded)

    def _expand(self, text: str) -> str:
        """A prefixed name or relative IRI written out in full (templates too)."""
        prefix, colon, local = text.partition(":")
        if colon and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        if self.base and not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", text):
            return self.base + text
        return text


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        # [[file~csv]] and [file~csv] both name one source; [[p, o], [p, o]] is a list of rules
        return value
    return [value]
