"""The CAQH CORE Connectivity Rule vC2.2.0 real-time SOAP 1.2 envelope, built and read with lxml.

Pure functions (no I/O, no clock: ids and times are inputs), shared by the client adapter
(``core_soap.py``) and the sandbox clearinghouse, so both sides speak exactly one envelope::

    <soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">
      <soap:Header>
        <wsse:Security soap:mustUnderstand="true">          WS-Security 1.0
          <wsse:UsernameToken><wsse:Username/><wsse:Password Type="...#PasswordText"/></wsse:UsernameToken>
        </wsse:Security>
      </soap:Header>
      <soap:Body>
        <cor:COREEnvelopeRealTimeRequest xmlns:cor="http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd">
          <PayloadType>X12_270_Request_005010X279A1</PayloadType>
          <ProcessingMode>RealTime</ProcessingMode>
          <PayloadID>(a UUID)</PayloadID>  <TimeStamp>2026-11-30T09:30:00Z</TimeStamp>
          <SenderID/> <ReceiverID/> <CORERuleVersion>2.2.0</CORERuleVersion>
          <Payload><![CDATA[ISA*...~]]></Payload>
        </cor:COREEnvelopeRealTimeRequest>
      </soap:Body>
    </soap:Envelope>

The answer is ``cor:COREEnvelopeRealTimeResponse`` with the same fields plus ``ErrorCode`` and
``ErrorMessage`` (``Success`` when the payload is the payer's answer), or a SOAP 1.2
``soap:Fault`` (``soap:Sender`` = our message was wrong, ``soap:Receiver`` = their side failed).
The children of the CORE elements are unqualified, as in the CORE XSD.

Parsing never resolves entities, loads a DTD or touches the network (no XXE). Errors are
:class:`EnvelopeError` with a reason that never echoes the payload (it is PHI).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

__all__ = [
    "CORE_NS", "SOAP_NS", "WSSE_NS", "RULE_VERSION", "PAYLOAD_270", "PAYLOAD_271", "PAYLOAD_TA1", "PAYLOAD_999",
    "PAYLOAD_ERROR", "SUCCESS", "EnvelopeError", "RealTimeMessage", "SoapFault", "UsernameToken",
    "build_request", "build_response", "build_fault", "read_request", "read_response", "core_timestamp",
]

SOAP_NS = "http://www.w3.org/2003/05/soap-envelope"
CORE_NS = "http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
CONTENT_TYPE = 'application/soap+xml; charset=utf-8; action="RealTimeTransaction"'

RULE_VERSION = "2.2.0"
REAL_TIME = "RealTime"
PAYLOAD_270 = "X12_270_Request_005010X279A1"
PAYLOAD_271 = "X12_271_Response_005010X279A1"
PAYLOAD_TA1 = "X12_TA1_Response_00501X231A1"
PAYLOAD_999 = "X12_999_Response_005010X231A1"
PAYLOAD_ERROR = "CoreEnvelopeError"
SUCCESS = "Success"

_REQUEST = "COREEnvelopeRealTimeRequest"
_RESPONSE = "COREEnvelopeRealTimeResponse"
#: The CORE fields in schema order (the response adds ErrorCode and ErrorMessage).
_FIELDS = ("PayloadType", "ProcessingMode", "PayloadID", "TimeStamp", "SenderID", "ReceiverID", "CORERuleVersion",
           "Payload")
_NSMAP = {"soap": SOAP_NS}


class EnvelopeError(ValueError):
    """Not a CORE real-time envelope; ``reason`` is safe to show (no payload echoed)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class UsernameToken:
    username: str
    password: str


@dataclass(frozen=True, slots=True)
class RealTimeMessage:
    """The fields of a real-time request or response (``error_*`` only on a response)."""

    payload_type: str
    payload_id: str
    timestamp: str
    sender_id: str
    receiver_id: str
    payload: str
    processing_mode: str = REAL_TIME
    rule_version: str = RULE_VERSION
    error_code: str | None = None
    error_message: str | None = None


@dataclass(frozen=True, slots=True)
class SoapFault:
    """A SOAP 1.2 fault: ``code`` is ``Sender`` or ``Receiver`` (or another SOAP code), ``reason`` its text."""

    code: str
    reason: str
    subcode: str | None = None

    @property
    def is_ours(self) -> bool:
        """The fault blames our message (or credentials), not the clearinghouse's health."""
        return self.code in {"Sender", "VersionMismatch", "MustUnderstand", "DataEncodingUnknown"}


def core_timestamp(when: dt.datetime) -> str:
    """XML dateTime in UTC with a Z, seconds precision, as CORE examples write it."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _core_element(parent: etree._Element, tag: str, message: RealTimeMessage, *, response: bool) -> None:
    body = etree.SubElement(parent, _q(CORE_NS, tag), nsmap={"cor": CORE_NS})
    values = (message.payload_type, message.processing_mode, message.payload_id, message.timestamp,
              message.sender_id, message.receiver_id, message.rule_version)
    for name, value in zip(_FIELDS, values):
        etree.SubElement(body, name).text = value
    payload = etree.SubElement(body, "Payload")
    if message.payload:
        # CDATA keeps the X12 readable byte for byte; a payload that would end the CDATA is escaped instead.
        payload.text = etree.CDATA(message.payload) if "]]>" not in message.payload else message.payload
    if response:
        etree.SubElement(body, "ErrorCode").text = message.error_code or SUCCESS
        etree.SubElement(body, "ErrorMessage").text = message.error_message or "None"


def build_request(message: RealTimeMessage, token: UsernameToken) -> bytes:
    """The SOAP 1.2 request carrying one 270, with the WS-Security UsernameToken header."""
    envelope = etree.Element(_q(SOAP_NS, "Envelope"), nsmap=_NSMAP)
    header = etree.SubElement(envelope, _q(SOAP_NS, "Header"))
    security = etree.SubElement(header, _q(WSSE_NS, "Security"), nsmap={"wsse": WSSE_NS})
    security.set(_q(SOAP_NS, "mustUnderstand"), "true")
    username_token = etree.SubElement(security, _q(WSSE_NS, "UsernameToken"))
    etree.SubElement(username_token, _q(WSSE_NS, "Username")).text = token.username
    password = etree.SubElement(username_token, _q(WSSE_NS, "Password"), Type=PASSWORD_TEXT)
    password.text = token.password
    body = etree.SubElement(envelope, _q(SOAP_NS, "Body"))
    _core_element(body, _REQUEST, message, response=False)
    return _serialize(envelope)


def build_response(message: RealTimeMessage) -> bytes:
    """The SOAP 1.2 real-time response (no header: CORE puts no security on the answer)."""
    envelope = etree.Element(_q(SOAP_NS, "Envelope"), nsmap=_NSMAP)
    etree.SubElement(envelope, _q(SOAP_NS, "Header"))
    body = etree.SubElement(envelope, _q(SOAP_NS, "Body"))
    _core_element(body, _RESPONSE, message, response=True)
    return _serialize(envelope)


def build_fault(fault: SoapFault) -> bytes:
    envelope = etree.Element(_q(SOAP_NS, "Envelope"), nsmap=_NSMAP)
    body = etree.SubElement(envelope, _q(SOAP_NS, "Body"))
    element = etree.SubElement(body, _q(SOAP_NS, "Fault"))
    code = etree.SubElement(element, _q(SOAP_NS, "Code"))
    etree.SubElement(code, _q(SOAP_NS, "Value")).text = f"soap:{fault.code}"
    if fault.subcode:
        sub = etree.SubElement(code, _q(SOAP_NS, "Subcode"))
        etree.SubElement(sub, _q(SOAP_NS, "Value")).text = fault.subcode
    reason = etree.SubElement(element, _q(SOAP_NS, "Reason"))
    text = etree.SubElement(reason, _q(SOAP_NS, "Text"))
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    text.text = fault.reason
    return _serialize(envelope)


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True)


def _parse(body: bytes) -> etree._Element:
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError:
        raise EnvelopeError("the body is not well-formed XML") from None
    if root.tag != _q(SOAP_NS, "Envelope"):
        raise EnvelopeError("the document is not a SOAP 1.2 envelope")
    return root


def _body_child(root: etree._Element) -> etree._Element:
    body = root.find(_q(SOAP_NS, "Body"))
    if body is None:
        raise EnvelopeError("the SOAP envelope has no Body")
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise EnvelopeError("the SOAP Body must hold exactly one element")
    return children[0]


def _text(parent: etree._Element, name: str, *, required: bool = True) -> str | None:
    element = parent.find(name)
    if element is None:
        if required:
            raise EnvelopeError(f"{name} is missing from the CORE envelope")
        return None
    return (element.text or "").strip() if name != "Payload" else (element.text or "")


def _message(element: etree._Element, *, response: bool) -> RealTimeMessage:
    required = not response  # a CORE error response may leave fields out; ErrorCode is what it must say
    values = {name: _text(element, name, required=required) or "" for name in _FIELDS}
    error_code = _text(element, "ErrorCode", required=response) if response else None
    return RealTimeMessage(
        payload_type=values["PayloadType"], processing_mode=values["ProcessingMode"],
        payload_id=values["PayloadID"], timestamp=values["TimeStamp"], sender_id=values["SenderID"],
        receiver_id=values["ReceiverID"], rule_version=values["CORERuleVersion"], payload=values["Payload"],
        error_code=error_code, error_message=_text(element, "ErrorMessage", required=False) if response else None,
    )


def _fault(element: etree._Element) -> SoapFault:
    value = element.findtext(f"{_q(SOAP_NS, 'Code')}/{_q(SOAP_NS, 'Value')}") or ""
    subcode = element.findtext(f"{_q(SOAP_NS, 'Code')}/{_q(SOAP_NS, 'Subcode')}/{_q(SOAP_NS, 'Value')}")
    reason = element.findtext(f"{_q(SOAP_NS, 'Reason')}/{_q(SOAP_NS, 'Text')}") or ""
    return SoapFault(code=value.strip().rsplit(":", 1)[-1], reason=reason.strip(), subcode=subcode)


def read_request(body: bytes) -> tuple[RealTimeMessage, UsernameToken | None]:
    """A real-time request and its UsernameToken (None when the header carries none)."""
    root = _parse(body)
    element = _body_child(root)
    if element.tag != _q(CORE_NS, _REQUEST):
        raise EnvelopeError(f"the SOAP Body holds no {_REQUEST}")
    token = None
    found = root.find(f"{_q(SOAP_NS, 'Header')}/{_q(WSSE_NS, 'Security')}/{_q(WSSE_NS, 'UsernameToken')}")
    if found is not None:
        token = UsernameToken(username=(found.findtext(_q(WSSE_NS, "Username")) or "").strip(),
                              password=found.findtext(_q(WSSE_NS, "Password")) or "")
    return _message(element, response=False), token


def read_response(body: bytes) -> RealTimeMessage | SoapFault:
    """A real-time response, or the SOAP fault sent instead."""
    element = _body_child(_parse(body))
    if element.tag == _q(SOAP_NS, "Fault"):
        return _fault(element)
    if element.tag != _q(CORE_NS, _RESPONSE):
        raise EnvelopeError(f"the SOAP Body holds no {_RESPONSE}")
    return _message(element, response=True)
