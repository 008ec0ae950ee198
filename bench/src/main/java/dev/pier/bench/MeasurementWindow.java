package dev.pier.bench;

/** Told when a load's measured window opens and closes, after the warm-up, to sample the server there. */
public interface MeasurementWindow {

    MeasurementWindow NONE = new MeasurementWindow() {
        @Override
        public void opened() {
        }

        @Override
        public void closed() {
        }
    };

    void opened();

    void closed();
}
