import CLibXML2

/// An XML element read by libxml2, with the line it starts on: importers report what they
/// cannot represent at its line. Names are local (namespace prefixes such as `ipxact:` or
/// `spirit:` dropped); the document is copied out and libxml2's tree freed at once.
public struct XMLElement: Sendable {
    public let name: String
    public let line: Int
    public let attributes: [String: String]
    /// The element's own text (not its children's), trimmed.
    public let text: String
    public let children: [XMLElement]

    public init(name: String, line: Int, attributes: [String: String] = [:], text: String = "", children: [XMLElement] = []) {
        self.name = name
        self.line = line
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    public func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }
    /// The text of the first child element called `name`.
    public func value(_ name: String) -> String? { child(name)?.text }

    /// A document that is not well-formed XML, at the line where libxml2 stopped.
    public struct Malformed: Error {
        public let line: Int
        public let message: String
    }

    /// Parses a file with libxml2: no network, no entity expansion from outside.
    public static func parse(file path: String) throws(Malformed) -> XMLElement {
        xmlResetLastError()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
                            | XML_PARSE_HUGE.rawValue | XML_PARSE_BIG_LINES.rawValue)
        guard let document = xmlReadFile(path, nil, options) else {
            if let error = xmlGetLastError() {
                let message = error.pointee.message.map { String(cString: $0) } ?? "not well-formed XML"
                throw Malformed(line: Int(error.pointee.line), message: message.trimmingWhitespace())
            }
            throw Malformed(line: 0, message: "cannot read the file")
        }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { throw Malformed(line: 0, message: "no root element") }
        return element(root)
    }

    private static func element(_ node: xmlNodePtr) -> XMLElement {
        var children: [XMLElement] = []
        var text = ""
        var attributes: [String: String] = [:]
        var attribute = node.pointee.properties
        while let current = attribute {
            // An attribute's value is its text child (no copy to free).
            let value = current.pointee.children?.pointee.content.map { String(cString: $0) } ?? ""
            attributes[String(cString: current.pointee.name)] = value
            attribute = current.pointee.next
        }
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE: children.append(element(current))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { text += String(cString: content) }
            default: break
            }
            child = current.pointee.next
        }
        return XMLElement(name: String(cString: node.pointee.name), line: Int(xmlGetLineNo(node)),
                          attributes: attributes, text: text.trimmingWhitespace(), children: children)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace = { (c: Character) in c == " " || c == "\n" || c == "\t" || c == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }

    /// Runs of whitespace made one space: descriptions in XML are wrapped over lines.
    func collapsingWhitespace() -> String {
        split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }
}
