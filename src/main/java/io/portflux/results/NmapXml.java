package io.portflux.results;

import io.portflux.scan.ScanStatus;
import io.portflux.store.PortResult;
import io.portflux.store.StoredScan;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * NmapXml writes a scan in nmap's XML output format (valid against the {@code nmap.dtd} nmap ships), with the
 * JDK's StAX writer: one writer per export, drained into a chunk after each host's head, each port and each
 * host's end, so only the element being written is ever in memory.
 *
 * <p>The DTD allows only {@code scanner="nmap"}; {@code version} and {@code args} say that PortFlux wrote it.
 * Every listed host is {@code up} with reason {@code user-set}, as in an {@code nmap -Pn} scan (PortFlux does no
 * host discovery).
 */
final class NmapXml {

    private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();

    private NmapXml() {}

    /** Steps of a writer that may throw. */
    private interface Step {
        void write(XMLStreamWriter w) throws XMLStreamException;
    }

    static Flux<String> write(ScanScope scope, Flux<HostView> hosts) {
        return Flux.defer(() -> {
            StringWriter out = new StringWriter();
            XMLStreamWriter w;
            try {
                w = FACTORY.createXMLStreamWriter(out);
            } catch (XMLStreamException e) {
                return Flux.error(e);
            }
            AtomicLong up = new AtomicLong();
            return Flux.concat(
                    chunk(out, w, x -> head(x, scope)),
                    hosts.concatMap(host -> Flux.concat(
                            chunk(out, w, x -> {
                                up.incrementAndGet();
                                hostHead(x, scope.scan(), host);
                            }),
                            host.listed().concatMap(port -> chunk(out, w, x -> port(x, port)), 1),
                            chunk(out, w, NmapXml::hostEnd)), 1),
                    chunk(out, w, x -> tail(x, scope, up.get())));
        });
    }

    // Runs one step when subscribed, and hands out what it wrote.
    private static Mono<String> chunk(StringWriter out, XMLStreamWriter w, Step step) {
        return Mono.fromCallable(() -> {
            step.write(w);
            w.flush();
            String text = out.toString();
            out.getBuffer().setLength(0);
            return text;
        });
    }

    private static void head(XMLStreamWriter w, ScanScope scope) throws XMLStreamException {
        StoredScan scan = scope.scan();
        w.writeStartDocument("UTF-8", "1.0");
        w.writeCharacters("\n");
        w.writeDTD("<!DOCTYPE nmaprun>");
        w.writeCharacters("\n");
        w.writeStartElement("nmaprun");
        w.writeAttribute("scanner", "nmap");
        w.writeAttribute("args", ResultText.args(scan));
        w.writeAttribute("start", Long.toString(scan.createdAt().getEpochSecond()));
        w.writeAttribute("startstr", ResultText.ctime(scan.createdAt()));
        w.writeAttribute("version", ResultText.VERSION);
        w.writeAttribute("xmloutputversion", "1.05");
        w.writeCharacters("\n");
        w.writeEmptyElement("scaninfo");
        w.writeAttribute("type", "connect");
        w.writeAttribute("protocol", "tcp");
        w.writeAttribute("numservices", Integer.toString(scope.ports().size()));
        w.writeAttribute("services", scope.ports().toString());
        w.writeCharacters("\n");
        w.writeEmptyElement("verbose");
        w.writeAttribute("level", "0");
        w.writeCharacters("\n");
        w.writeEmptyElement("debugging");
        w.writeAttribute("level", "0");
        w.writeCharacters("\n");
    }

    private static void hostHead(XMLStreamWriter w, StoredScan scan, HostView host) throws XMLStreamException {
        w.writeStartElement("host");
        w.writeAttribute("starttime", Long.toString(scan.createdAt().getEpochSecond()));
        w.writeAttribute("endtime", Long.toString(ResultText.end(scan).getEpochSecond()));
        w.writeEmptyElement("status");
        w.writeAttribute("state", "up");
        w.writeAttribute("reason", "user-set");
        w.writeAttribute("reason_ttl", "0");
        w.writeCharacters("\n");
        w.writeEmptyElement("address");
        w.writeAttribute("addr", host.ip());
        w.writeAttribute("addrtype", host.ipv6() ? "ipv6" : "ipv4");
        w.writeCharacters("\n");
        w.writeStartElement("hostnames");
        if (host.name() != null) {
            w.writeEmptyElement("hostname");
            w.writeAttribute("name", host.name());
            w.writeAttribute("type", "user");
        }
        w.writeEndElement();
        w.writeCharacters("\n");
        w.writeStartElement("ports");
        for (HostView.Folded folded : host.folded()) {
            w.writeStartElement("extraports");
            w.writeAttribute("state", folded.state());
            w.writeAttribute("count", Long.toString(folded.count()));
            w.writeCharacters("\n");
            for (PortResult.Tally reason : folded.reasons()) {
                w.writeEmptyElement("extrareasons");
                w.writeAttribute("reason", reason.reason());
                w.writeAttribute("count", Long.toString(reason.count()));
                w.writeAttribute("proto", "tcp");
                w.writeCharacters("\n");
            }
            w.writeEndElement();
            w.writeCharacters("\n");
        }
    }

    private static void port(XMLStreamWriter w, PortResult port) throws XMLStreamException {
        w.writeStartElement("port");
        w.writeAttribute("protocol", "tcp");
        w.writeAttribute("portid", Integer.toString(port.port()));
        w.writeEmptyElement("state");
        w.writeAttribute("state", port.state());
        w.writeAttribute("reason", port.reason());
        w.writeAttribute("reason_ttl", "0");
        boolean probed = "probed".equals(port.method());
        w.writeEmptyElement("service");
        // nmap names a port its table does not know "unknown".
        w.writeAttribute("name", port.service() == null ? "unknown" : port.service());
        if (port.product() != null) {
            w.writeAttribute("product", port.product());
        }
        if (port.version() != null) {
            w.writeAttribute("version", port.version());
        }
        w.writeAttribute("method", probed ? "probed" : "table");
        // nmap's confidence: 10 for a match made by talking to the port, 3 for a name from its port table.
        w.writeAttribute("conf", probed ? "10" : "3");
        w.writeEndElement();
        w.writeCharacters("\n");
    }

    private static void hostEnd(XMLStreamWriter w) throws XMLStreamException {
        w.writeEndElement(); // ports
        w.writeCharacters("\n");
        w.writeEndElement(); // host
        w.writeCharacters("\n");
    }

    private static void tail(XMLStreamWriter w, ScanScope scope, long up) throws XMLStreamException {
        StoredScan scan = scope.scan();
        boolean completed = scan.status() == ScanStatus.COMPLETED;
        w.writeStartElement("runstats");
        w.writeEmptyElement("finished");
        w.writeAttribute("time", Long.toString(ResultText.end(scan).getEpochSecond()));
        w.writeAttribute("timestr", ResultText.ctime(ResultText.end(scan)));
        w.writeAttribute("elapsed", ResultText.seconds(scan));
        w.writeAttribute("summary", ResultText.summary(scan, up, scope.hosts()));
        w.writeAttribute("exit", completed ? "success" : "error");
        if (!completed) {
            w.writeAttribute("errormsg", "scan " + scan.status().wireName()
                    + (scan.message() == null ? "" : ": " + scan.message()));
        }
        w.writeEmptyElement("hosts");
        w.writeAttribute("up", Long.toString(up));
        w.writeAttribute("down", Long.toString(Math.max(0, scope.hosts() - up)));
        w.writeAttribute("total", Long.toString(Math.max(up, scope.hosts())));
        w.writeEndElement();
        w.writeCharacters("\n");
        w.writeEndElement(); // nmaprun
        w.writeCharacters("\n");
        w.writeEndDocument();
    }
}
