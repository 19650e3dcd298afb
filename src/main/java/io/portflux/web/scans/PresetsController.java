package io.portflux.web.scans;

import io.portflux.port.Preset;
import java.util.Arrays;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** PresetsController lists the named port lists a {@code ports} entry may give ({@code GET /api/presets}). */
@RestController
public class PresetsController {

    /** One preset: its keyword, how many ports it holds, and what they are. */
    public record PresetInfo(String name, int ports, String description) {}

    @GetMapping(path = "/api/presets", produces = MediaType.APPLICATION_JSON_VALUE)
    public List<PresetInfo> presets() {
        return Arrays.stream(Preset.values())
                .map(p -> new PresetInfo(p.keyword(), p.ports().length, p.description()))
                .toList();
    }
}
