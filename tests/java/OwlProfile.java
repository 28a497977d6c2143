// Checks ontology documents against the OWL 2 DL and OWL 2 RL profiles with the OWL API (3.4, bundled in
// owlready2's HermiT.jar). For each file argument and profile prints "PROFILE <file>\t<profile>\t<in profile>",
// then one line per violation, "VIOLATION <file>\t<profile>\t<kind>: <text>". Used by tests/test_dl_reasoners.py.
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWL2RLProfile;
import org.semanticweb.owlapi.profiles.OWLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlProfile {
    public static void main(String[] args) throws Exception {
        for (String file : args) {
            OWLOntology ontology = OWLManager.createOWLOntologyManager().loadOntologyFromOntologyDocument(new File(file));
            for (OWLProfile profile : new OWLProfile[] {new OWL2DLProfile(), new OWL2RLProfile()}) {
                OWLProfileReport report = profile.checkOntology(ontology);
                System.out.println("PROFILE " + file + "\t" + profile.getName() + "\t" + report.isInProfile());
                for (OWLProfileViolation v : report.getViolations()) {
                    System.out.println("VIOLATION " + file + "\t" + profile.getName() + "\t"
                                       + v.getClass().getSimpleName() + ": " + v.toString().replace('\n', ' '));
                }
            }
        }
    }
}
