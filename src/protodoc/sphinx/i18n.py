"""The labels the extension itself writes (table headers, section titles), in en and zh.

Spec texts come from the spec in the page's language; these are the few words
around them. One table, looked up by :func:`label`.
"""

from __future__ import annotations

from ..model import norm_lang

LABELS: dict[str, tuple[str, str]] = {
    # key: (English, Simplified Chinese)
    "participants": ("Participants", "参与者"),
    "messages": ("Messages", "消息"),
    "states": ("States and transitions", "状态与转换"),
    "diagrams": ("Diagrams", "图"),
    "references": ("References", "参考资料"),
    "sequence": ("Sequence diagram", "时序图"),
    "state_diagram": ("State diagram", "状态图"),
    "order": ("#", "序号"),
    "from": ("From", "发送方"),
    "to": ("To", "接收方"),
    "message": ("Message", "消息"),
    "fields": ("Fields", "字段"),
    "description": ("Description", "说明"),
    "participant": ("Participant", "参与者"),
    "id": ("Id", "标识"),
    "name": ("Name", "名称"),
    "initial": ("Initial state", "初始状态"),
    "machine": ("State machine", "状态机"),
    "state": ("State", "状态"),
    "source_state": ("From state", "起始状态"),
    "target_state": ("To state", "目标状态"),
    "event": ("Event", "事件"),
    "action": ("Action", "动作"),
    "final": ("final", "终止"),
    "start": ("initial", "初始"),
    "protocol": ("Protocol", "协议"),
    "summary": ("Summary", "概要"),
    "reference_index": ("Protocol reference", "协议参考"),
    "diagram_source": ("Diagram source", "图的源码"),
    "lost": ("lost", "丢失"),
    "timer": ("timer", "定时器"),
}


def label(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (``en`` or ``zh``)."""
    en, zh = LABELS[key]
    return zh if norm_lang(lang) == "zh" else en


def build_lang(language: str | None) -> str:
    """The spec language for a Sphinx ``language`` value: ``zh*`` is ``zh``, anything else ``en``."""
    try:
        return norm_lang(language or "en")
    except ValueError:
        return "en"
