package io.portflux.schedule;

/** ScheduleNotFoundException is a schedule id that names no schedule (HTTP 404). */
public class ScheduleNotFoundException extends RuntimeException {

    private final String id;

    public ScheduleNotFoundException(String id) {
        super("no schedule with id '" + id + "'");
        this.id = id;
    }

    public String id() {
        return id;
    }
}
