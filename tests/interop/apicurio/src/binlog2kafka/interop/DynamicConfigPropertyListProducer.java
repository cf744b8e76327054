package binlog2kafka.interop;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import java.util.List;
import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.inject.Produces;

/** The bean apicurio-common-app-components-config-index-deployment would
 * make at build time (that artifact is not on Maven Central): no dynamic
 * configuration properties. */
@ApplicationScoped
public class DynamicConfigPropertyListProducer {
  @Produces
  @ApplicationScoped
  DynamicConfigPropertyList dynamicConfigPropertyList() {
    return new DynamicConfigPropertyList(List.of());
  }
}
