import './base.css';
import './charts.css';
import './progress.css';
import './finetunes.css';
import './evaluations.css';
import './setup.css';
import './connections.css';
import './genai.css';
