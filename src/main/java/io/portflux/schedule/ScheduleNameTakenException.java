package io.portflux.schedule;

/** ScheduleNameTakenException is a schedule whose name another schedule already has (HTTP 409). */
public class ScheduleNameTakenException extends RuntimeException {

    private final String name;

    public ScheduleNameTakenException(String name) {
        super("name='" + name + "': another schedule already has this name");
        this.name = name;
    }

    public String name() {
        return name;
    }
}
