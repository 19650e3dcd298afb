package outside;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A controller outside PortFlux's packages, which PortFlux's request mapping does not look at. */
@RestController
public class OutsideController {

    @GetMapping("/outside")
    public String outside() {
        return "outside";
    }
}
